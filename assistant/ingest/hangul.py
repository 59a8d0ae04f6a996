"""Hangul word processor files: .hwpx (OWPML: a zip of XML) is read; legacy .hwp (an OLE file) is refused.

A .hwpx package holds ``Contents/content.hpf`` (the title, and the sections in reading order),
``Contents/header.xml`` (styles and paragraph shapes) and ``Contents/section0.xml``, ``section1.xml``, …
Each section is a ``hs:sec`` of ``hp:p`` paragraphs whose ``hp:run``s hold ``hp:t`` text. A paragraph is a
heading when its style is an outline style ("개요 N" / "Outline N", or "제목 N" / "Heading N") or its paragraph
shape has an outline heading. Table cells are read row by row; headers, footers, footnotes and memos
(inside ``hp:ctrl``) are left out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ..errors import DocumentError
from ..records import Document
from ..text.validation import without_refused
from .blocks import Block, build_document, clean_line
from .packages import OLE_MAGIC, local_name, open_package, parse_xml, read_part

_SECTION = re.compile(r"Contents/section(\d+)\.xml", re.I)
_OUTLINE_STYLE = re.compile(r"(?:개요|outline|제목|heading)\s*([1-9]|10)", re.I)
_MAX_HEADING = 120  # longer "headings" are body text in an outline style, kept as paragraphs
_SPACES = {"tab": " ", "lineBreak": " ", "fwSpace": " ", "nbSpace": " ", "hyphen": "-"}


def read_hwp(doc_id: str, data: bytes, path: str) -> Document:
    """Legacy .hwp is a binary format this reader does not parse: the error says how to convert it."""
    kind = "a legacy Hangul (.hwp) file" if data.startswith(OLE_MAGIC) else "not a Hangul file this reader knows"
    raise DocumentError(
        f"{path}: {kind}; convert it to .hwpx (한글: 파일 → 다른 이름으로 저장 → 파일 형식 'HWPX 문서 (*.hwpx)') "
        "and add the .hwpx file."
    )


def read_hwpx(doc_id: str, data: bytes, path: str) -> Document:
    """A Hangul .hwpx document; the title from its metadata, else its first heading, else the file name."""
    if data.startswith(OLE_MAGIC):
        raise DocumentError(
            f"{path}: this is a legacy .hwp file named .hwpx; save it from 한글 as 'HWPX 문서 (*.hwpx)'."
        )
    with open_package(data, path, "a .hwpx file") as archive:
        title, sections = _package(archive, path)
        if not sections:
            raise DocumentError(f"{path}: no Contents/section*.xml inside; this is not a .hwpx document.")
        styles, outlines = _header(archive, path)
        blocks: list[Block] = []
        for name in sections:
            root = parse_xml(read_part(archive, name, path), path, name)
            blocks.extend(_blocks(root, styles, outlines))
    first_heading = next((b.text for b in blocks if b.level), "")
    return build_document(doc_id, clean_line(title) or first_heading or doc_id, blocks, path=path)


def _package(archive: zipfile.ZipFile, path: str) -> tuple[str, list[str]]:
    """The title and the section parts in reading order (the spine of content.hpf, else by number)."""
    names = {name.lower(): name for name in archive.namelist()}
    numbered = {name: _SECTION.fullmatch(name) for name in names.values()}
    found = sorted((n for n, m in numbered.items() if m), key=lambda n: int(numbered[n][1]))  # type: ignore[index]
    hpf = names.get("contents/content.hpf")
    if hpf is None:
        return "", found
    root = parse_xml(read_part(archive, hpf, path), path, hpf)
    title = next((clean_line(e.text or "") for e in root.iter() if local_name(e) == "title"), "")
    hrefs = {e.get("id"): e.get("href", "") for e in root.iter() if local_name(e) == "item"}
    spine = [hrefs.get(e.get("idref"), "") for e in root.iter() if local_name(e) == "itemref"]
    ordered = [names[h.lower()] for h in spine if _SECTION.fullmatch(h) and h.lower() in names]
    return without_refused(title), ordered or found


def _header(archive: zipfile.ZipFile, path: str) -> tuple[dict[str, int], dict[str, int]]:
    """Heading levels by style id (outline styles) and by paragraph shape id (outline headings)."""
    name = next((n for n in archive.namelist() if n.lower() == "contents/header.xml"), None)
    if name is None:
        return {}, {}
    styles: dict[str, int] = {}
    outlines: dict[str, int] = {}
    for element in parse_xml(read_part(archive, name, path), path, name).iter():
        kind = local_name(element)
        if kind == "style":
            for label in (element.get("engName", ""), element.get("name", "")):
                match = _OUTLINE_STYLE.fullmatch(label.strip())
                if match:
                    styles[element.get("id", "")] = int(match[1])
                    break
        elif kind == "paraPr":
            heading = next((c for c in element.iter() if local_name(c) == "heading"), None)
            if heading is not None and heading.get("type", "").upper() == "OUTLINE":
                level = heading.get("level", "0")
                outlines[element.get("id", "")] = int(level) + 1 if level.isdigit() else 1
    return styles, outlines


def _blocks(root: Any, styles: dict[str, int], outlines: dict[str, int]) -> Iterator[Block]:
    """Blocks of one section: its paragraphs in order; a table becomes one block per row."""
    for paragraph in _children(root, "p"):
        yield from _paragraph(paragraph, styles, outlines)


def _paragraph(paragraph: Any, styles: dict[str, int], outlines: dict[str, int]) -> Iterator[Block]:
    text = clean_line(without_refused("".join(_text(paragraph))))
    if text:
        level = styles.get(paragraph.get("styleIDRef", ""), 0) or outlines.get(paragraph.get("paraPrIDRef", ""), 0)
        yield Block(text, min(level, 6) if len(text) <= _MAX_HEADING else 0)
    for run in _children(paragraph, "run"):
        for child in run:
            if local_name(child) == "tbl":
                yield from _table(child)
            elif local_name(child) not in ("t", "ctrl"):  # a shape: its text box, if any
                for box in _children(child, "drawText"):
                    for inner in (p for sub in _children(box, "subList") for p in _children(sub, "p")):
                        yield from _paragraph(inner, {}, {})


def _table(table: Any) -> Iterator[Block]:
    for row in _children(table, "tr"):
        cells = []
        for cell in _children(row, "tc"):
            paragraphs = (p for sub in _children(cell, "subList") for p in _children(sub, "p"))
            joined = clean_line(" ".join(block.text for p in paragraphs for block in _paragraph(p, {}, {})))
            if joined:
                cells.append(joined)
        if cells:
            yield Block(" | ".join(cells))


def _text(paragraph: Any) -> Iterator[str]:
    """The paragraph's own text: ``hp:t`` of its runs, with tabs and breaks as spaces (tables and shapes aside)."""
    for run in _children(paragraph, "run"):
        for t in _children(run, "t"):
            yield t.text or ""
            for part in t:
                yield _SPACES.get(local_name(part), "")
                yield part.tail or ""


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if local_name(child) == name)
