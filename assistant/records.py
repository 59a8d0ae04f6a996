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
