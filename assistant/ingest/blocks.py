"""Clean text as blocks: the common shape every file format is reduced to before it becomes a ``Document``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import DocumentError
from ..records import Document, Language, Section

_SPACES = re.compile(r"[ \t\u00a0\u3000\u200b]+")


@dataclass(frozen=True, slots=True)
class Block:
    """A heading (level 1–6) or a paragraph of text (level 0)."""

    text: str
    level: int = 0


def clean_line(text: str) -> str:
    """Collapse runs of spaces and trim."""
    return _SPACES.sub(" ", text).strip()


def assemble(blocks: list[Block], title: str) -> tuple[str, tuple[Section, ...]]:
    """Join blocks into document text and sections; headings are kept in the text, not in any section span.

    A leading heading equal to the title is dropped (it is the title, not a section).
    """
    if blocks and blocks[0].level and blocks[0].text == title:
        blocks = blocks[1:]
    lines: list[str] = []
    sections: list[Section] = []
    offset = 0
    current_title = ""
    section_start = 0

    def close(end: int) -> None:
        if end > section_start:
            sections.append(Section(current_title, section_start, end))

    for block in blocks:
        if not block.text:
            continue
        if lines:
            offset += 1  # the newline joining this line to the previous one
        if block.level:
            close(max(offset - 1, section_start))
            current_title = block.text
            section_start = offset + len(block.text) + 1
        lines.append(block.text)
        offset += len(block.text)
    close(offset)
    text = "\n".join(lines)
    return text, tuple(s for s in sections if text[s.start : s.end].strip())


def build_document(
    doc_id: str,
    title: str,
    blocks: list[Block],
    *,
    path: str,
    source: str = "",
    date: str = "",
    language: Language | None = None,
    metadata: dict[str, Any] | None = None,
) -> Document:
    """The ``Document`` of a reader's blocks; ``DocumentError`` when no text is left."""
    title = clean_line(title)
    text, sections = assemble(blocks, title)
    if not sections:
        raise DocumentError(f"{path}: no text left after removing markup; nothing to index.")
    return Document(
        id=doc_id, title=title, text=text, sections=sections, source=source, date=date,
        path=path, language=language, metadata=metadata or {},
    )  # fmt: skip
