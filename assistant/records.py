"""Typed records shared across the package: documents, passages and search hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Language(StrEnum):
    """The languages and scripts the assistant tells apart."""

    KOREAN = "ko"
    TRADITIONAL = "zh-Hant"
    SIMPLIFIED = "zh-Hans"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Section:
    """A span of a document under one heading ("" before the first heading)."""

    title: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """A document as ingested: clean text plus what we know about where it came from."""

    id: str
    title: str
    text: str
    sections: tuple[Section, ...]
    source: str = ""
    date: str = ""
    path: str = ""
    language: Language | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        """A content hash that changes when anything we index changes."""
        import hashlib

        digest = hashlib.sha256()
        for part in (self.id, self.title, self.source, self.date, self.text):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        for section in self.sections:
            digest.update(f"{section.title}\x00{section.start}\x00{section.end}\x00".encode())
        return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Passage:
    """A chunk of a document; ``text == document.text[start:end]``."""

    id: str
    document_id: str
    title: str
    section: str
    source: str
    language: Language
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """The passage as plain JSON-ready data."""
        return {
            "passage_id": self.id,
            "document_id": self.document_id,
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "language": self.language.value,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        """Inverse of ``to_dict``."""
        return cls(
            id=data["passage_id"],
            document_id=data["document_id"],
            title=data["title"],
            section=data["section"],
            source=data["source"],
            language=Language(data["language"]),
            text=data["text"],
            start=data["start"],
            end=data["end"],
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused score and the score of each side."""

    passage: Passage
    score: float
    keyword_score: float = 0.0
    dense_score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The hit as plain JSON-ready data (the passage fields plus ``score``)."""
        return {**self.passage.to_dict(), "score": round(self.score, 6)}


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of an answer: the cited passage and the span of its supporting text.

    ``start``/``end`` are character offsets in the document of the passage sentence that best supports
    the sentences citing it (the whole passage when no single sentence does); ``supported`` is false when
    the verifier found too little overlap between the citing sentence and the passage (the marker is kept so the
    reader sees what the model claimed, and the answer is marked ungrounded).
    """

    n: int
    passage: Passage
    start: int
    end: int
    score: float
    supported: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The citation as plain JSON-ready data."""
        passage = self.passage
        return {
            "n": self.n,
            "passage_id": passage.id,
            "document_id": passage.document_id,
            "title": passage.title,
            "section": passage.section,
            "source": passage.source,
            "language": passage.language.value,
            "text": passage.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
            "supported": self.supported,
            "passage_start": passage.start,
            "passage_end": passage.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        """Inverse of ``to_dict`` (the passage's own span comes from ``passage_start``/``passage_end``)."""
        passage = Passage.from_dict(
            {**data, "start": data.get("passage_start", data["start"]), "end": data.get("passage_end", data["end"])}
        )
        return cls(data["n"], passage, data["start"], data["end"], data.get("score", 0.0), data.get("supported", True))


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and its answer in a conversation."""

    question: str
    query: str
    answer: str
    citations: tuple[Citation, ...] = ()
    language: Language = Language.OTHER
    fallback: bool = False
    created_at: float = 0.0
    feedback: int = 0  # +1 thumbs up, -1 thumbs down, 0 none

    def to_dict(self) -> dict[str, Any]:
        """The turn as plain JSON-ready data."""
        return {
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "citations": [citation.to_dict() for citation in self.citations],
            "language": self.language.value,
            "fallback": self.fallback,
            "created_at": self.created_at,
            "feedback": self.feedback,
        }


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A conversation as listed: its id, owner, first question and size."""

    id: str
    user: str | None
    title: str
    turns: int
    created_at: float
    updated_at: float

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data."""
        return {
            "id": self.id,
            "user": self.user,
            "title": self.title,
            "turns": self.turns,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """A composed answer with its citations, the hits it was composed from, and how it was made.

    ``short_answer`` is the phrase that answers the question (a date, an amount, a name), "" when none was
    found. ``hits`` are all the passages retrieved, cited or not. ``abstained`` is true when the documents do not
    answer the question: the text says so, there are no citations, and the closest passages travel in ``related``
    (never cited).
    """

    text: str
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    model: str
    grounded: bool
    language: Language
    query: str = ""
    fallback: bool = False
    fallback_reason: str = ""
    conversation_id: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    short_answer: str = ""
    abstained: bool = False
    related: tuple[Hit, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The answer as the JSON shape shared by the CLI and the HTTP API."""
        return {
            "answer": self.text,
            "short_answer": self.short_answer or None,
            "abstained": self.abstained,
            "related": [{"n": n, **hit.to_dict()} for n, hit in enumerate(self.related, start=1)],
            "citations": [citation.to_dict() for citation in self.citations],
            "grounded": self.grounded,
            "fallback": self.fallback,
            "fallback_reason": self.fallback_reason or None,
            "language": self.language.value,
            "model": self.model,
            "query": self.query,
            "conversation_id": self.conversation_id or None,
            "timings_ms": {stage: round(ms, 2) for stage, ms in self.timings_ms.items()},
            "usage": dict(self.usage),
        }
