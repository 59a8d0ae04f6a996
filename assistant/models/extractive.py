"""The default "language model": no model at all, the retrieved sentences that answer best, each cited."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence

from ..answering.extractive import select_sentences
from ..answering.prompts import quoted_line
from ..answering.short_answer import Lead
from ..languages import CHINESE, in_script
from ..records import Hit, Language
from ..settings import ModelSettings
from .base import ChatRequest, Chunk

# A window clipped from a longer sentence ends in an ellipsis instead of its clause's punctuation.
_CLAUSE_END = re.compile(r"[，、；：,;:\s]+$")


def compose_answer(
    question: str,
    hits: Sequence[Hit],
    language: Language,
    *,
    max_sentences: int = 2,
    max_chars: int = 200,
    lead: Lead | None = None,
    quoted: str = "",
) -> list[str]:
    """The answer's pieces: the lead phrase and a dash, then each chosen sentence in the question's script and its
    ``[n]`` marker (the lead's sentence first); all of them within ``max_chars`` (markers excluded).

    ``quoted`` (the ``quoted.txt`` template) becomes a first piece of its own, one line ending in a newline, when a
    chosen sentence is in another language than ``language``; it names those languages in ``language``.
    """
    first = (lead.n, lead.start) if lead else None
    pieces: list[str] = [f"{lead.phrase} — "] if lead else []
    budget = max_chars - sum(map(len, pieces))
    extracts = select_sentences(question, hits, max_sentences=max_sentences, max_chars=budget, first=first)
    line = quoted_line(quoted, language, (e.passage.language for e in extracts)) if quoted else ""
    for extract in extracts:
        text = in_script(extract.text, extract.passage.language, language)
        if extract.clipped:
            text = _CLAUSE_END.sub("", text) + "…"
        chinese = extract.passage.language in CHINESE
        separator = "" if len(pieces) <= bool(lead) or chinese else " "
        marker = f"[{extract.n}]" if chinese else f" [{extract.n}]"
        pieces.append(f"{separator}{text}{marker}")
    return [f"{line}\n", *pieces] if line and extracts else pieces


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
            lead=request.lead,
            quoted=request.quoted,
        )
        for piece in pieces:
            yield Chunk(text=piece)

    async def aclose(self) -> None:
        """Nothing to release."""
