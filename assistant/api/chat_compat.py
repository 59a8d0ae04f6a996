"""What the OpenAI- and Ollama-compatible routes share: chat messages read as a question and its history, the
answer text ending in its sources block, and that text as it streams.

Chat clients show only the text, so the sources travel in it as numbered footnotes under a title in the answer's
language (출처 / 來源 / 来源 / Sources, the title the Kakao bot's sources card has too), streamed or not; the
routes add them as a JSON field as well.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import Any

from ..answering.events import AnswerEvent, Delta, Done, Fallback
from ..errors import InvalidQueryError
from ..records import Answer, Language, Turn

MODEL_ID = "assistant"  # the one model both surfaces list; any requested model name is answered by it
SOURCES_TITLE = {"ko": "출처", "zh-Hant": "來源", "zh-Hans": "来源"}
DEFAULT_SOURCES_TITLE = "Sources"


def sources_title(language: Language) -> str:
    """The title of the sources block in the answer's language."""
    return SOURCES_TITLE.get(language.value, DEFAULT_SOURCES_TITLE)


def question_and_history(messages: Iterable[tuple[str, str]]) -> tuple[str, list[Turn]]:
    """The last user message as the question and the earlier user/assistant pairs as turns, from (role, text)
    pairs; other roles (system, tool) are skipped. Raises ``InvalidQueryError`` when no user question ends it."""
    turns = [(role, text) for role, text in messages if role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise InvalidQueryError("The last message must be a non-empty 'user' message holding the question.")
    history: list[Turn] = []
    pending_question: str | None = None
    for role, text in turns[:-1]:
        if role == "user":
            pending_question = text
        elif pending_question is not None:
            history.append(Turn(pending_question, pending_question, text))
            pending_question = None
    return turns[-1][1], history


def ask_options(history: list[Turn], user: str | None, owner: str | None) -> dict[str, Any]:
    """The core's options for a stateless chat request: nothing is stored unless a user is named."""
    return {"user": user, "owner": owner, "history": history, "remember": user is not None}


def footnotes(answer: Answer) -> str:
    """The answer text followed by its sources block: a title, then ``[n] title — source`` per citation."""
    if not answer.citations:
        return answer.text
    lines = [f"[{c.n}] {c.passage.title}" + (f" — {c.passage.source}" if c.passage.source else "")
             for c in answer.citations]  # fmt: skip
    return answer.text + "\n\n" + sources_title(answer.language) + "\n" + "\n".join(lines)


async def answer_pieces(events: AsyncIterator[AnswerEvent]) -> AsyncGenerator[str | Answer, None]:
    """The answer's text as it streams: the deltas, a paragraph break where a fallback answer starts over, the
    sources block once the answer is verified; and last the verified ``Answer``. ``events`` is closed at the end,
    also when the client goes away."""
    try:
        async for event in events:
            if isinstance(event, Delta):
                yield event.text
            elif isinstance(event, Fallback):
                yield "\n\n"
            elif isinstance(event, Done):
                answer = event.answer
                tail = footnotes(answer)[len(answer.text) :]
                if tail:
                    yield tail
                yield answer
    finally:
        await events.aclose()  # type: ignore[attr-defined]
