"""The default "language model": no model at all, the retrieved sentences that answer best, each cited."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence

from ..answering.extractive import Extract, select_sentences
from ..languages import to_simplified, to_traditional
from ..records import Hit, Language
from ..settings import ModelSettings
from .base import ChatRequest, Chunk

_CHINESE = (Language.TRADITIONAL, Language.SIMPLIFIED)
# A window clipped from a longer sentence ends in an ellipsis instead of its clause's punctuation.
_CLAUSE_END = re.compile(r"[，、；：,;:\s]+$")


def in_script(extract: Extract, language: Language) -> str:
    """The extract's text in the question's Chinese script (Korean and other text unchanged)."""
    source = extract.passage.language
    if language == source or language not in _CHINESE or source not in _CHINESE:
        return extract.text
    return to_traditional(extract.text) if language == Language.TRADITIONAL else to_simplified(extract.text)


def compose_answer(
    question: str, hits: Sequence[Hit], language: Language, *, max_sentences: int = 2, max_chars: int = 200
) -> list[str]:
    """The answer's pieces: each chosen sentence in the question's script, then its ``[n]`` marker."""
    pieces: list[str] = []
    for extract in select_sentences(question, hits, max_sentences=max_sentences, max_chars=max_chars):
        text = in_script(extract, language)
        if extract.clipped:
            text = _CLAUSE_END.sub("", text) + "…"
        chinese = extract.passage.language in _CHINESE
        separator = "" if not pieces or chinese else " "
        marker = f"[{extract.n}]" if chinese else f" [{extract.n}]"
        pieces.append(f"{separator}{text}{marker}")
    return pieces


class ExtractiveModel:
    """Answers with the retrieved sentences most likely to hold the answer; needs no model or network."""

    id = "extractive"

    def __init__(self, settings: ModelSettings | None = None, *, max_sentences: int = 2, max_chars: int = 200) -> None:
        self.settings = settings
        self.max_sentences = max_sentences
        self.max_chars = max_chars

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """One chunk per chosen sentence, each ending in its passage marker; nothing when there are no passages."""
        if not request.passages:
            return
        pieces = await asyncio.to_thread(
            compose_answer,
            request.question,
            request.passages,
            request.language,
            max_sentences=self.max_sentences,
            max_chars=self.max_chars,
        )
        for piece in pieces:
            yield Chunk(text=piece)

    async def aclose(self) -> None:
        """Nothing to release."""
