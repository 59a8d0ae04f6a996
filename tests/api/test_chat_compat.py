"""What the OpenAI- and Ollama-compatible routes share: messages read as a question and history, the sources
block titled in the answer's language, and the streamed pieces ending with that block and the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from assistant.answering.events import AnswerEvent, Delta, Done, Fallback
from assistant.api.chat_compat import answer_pieces, ask_options, footnotes, question_and_history, sources_title
from assistant.errors import InvalidQueryError
from assistant.records import Answer, Citation, Language, Passage, Turn


def answer(language: Language, *sources: str) -> Answer:
    citations = tuple(
        Citation(n, Passage(f"d{n}#0", f"d{n}", f"문서 {n}", "", source, language, "본문", 0, 2), 0, 2, 0.9)
        for n, source in enumerate(sources, start=1)
    )
    return Answer("답변입니다 [1].", citations, (), "extractive", True, language)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        (Language.KOREAN, "출처"),
        (Language.TRADITIONAL, "來源"),
        (Language.SIMPLIFIED, "来源"),
        (Language.OTHER, "Sources"),
    ],
)
def test_the_sources_block_is_titled_in_the_answer_language(language: Language, title: str) -> None:
    assert sources_title(language) == title
    text = footnotes(answer(language, "https://example.org/a", ""))
    assert text == f"답변입니다 [1].\n\n{title}\n[1] 문서 1 — https://example.org/a\n[2] 문서 2"


def test_an_answer_without_citations_has_no_block() -> None:
    assert footnotes(answer(Language.KOREAN)) == "답변입니다 [1]."


def test_the_last_user_message_is_the_question_and_earlier_pairs_the_history() -> None:
    messages = [("system", "be brief"), ("user", "첫 질문"), ("assistant", "첫 답"), ("tool", "x"), ("user", "그럼?")]
    question, history = question_and_history(messages)
    assert question == "그럼?" and history == [Turn("첫 질문", "첫 질문", "첫 답")]
    assert ask_options(history, None, "key:a") == {"user": None, "owner": "key:a", "history": history,
                                                   "remember": False}  # fmt: skip
    assert ask_options([], "web:u", None)["remember"]


@pytest.mark.parametrize("messages", [[], [("system", "hi")], [("user", "q"), ("assistant", "a")], [("user", " ")]])
def test_a_chat_must_end_with_a_user_question(messages: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidQueryError, match="last message"):
        question_and_history(messages)


def test_streamed_pieces_end_with_the_sources_block_then_the_answer() -> None:
    final = answer(Language.SIMPLIFIED, "https://example.org/a")
    closed = []

    async def events() -> AsyncIterator[AnswerEvent]:
        try:
            for event in (Delta("답변"), Fallback("model failed"), Delta("답변입니다 [1]."), Done(final)):
                yield event
        finally:
            closed.append(True)

    async def collect() -> list[str | Answer]:
        return [piece async for piece in answer_pieces(events())]

    pieces = asyncio.run(collect())
    assert pieces == ["답변", "\n\n", "답변입니다 [1].", "\n\n来源\n[1] 문서 1 — https://example.org/a", final]
    assert closed == [True]
