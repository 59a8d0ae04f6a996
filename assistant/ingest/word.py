"""Word files (.docx), read with python-docx: paragraphs and tables in document order, sections from headings.

A paragraph is a heading when its style (or a style it is based on) is "Heading N" or "Title", or when it or its
style has an outline level, as Word's built-in heading styles do in every UI language.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ..errors import DocumentError
from ..records import Document
from ..text.validation import without_refused
from .blocks import Block, build_document, clean_line
from .packages import OLE_MAGIC, open_package

_HEADING_STYLE = re.compile(r"heading ([1-9])", re.I)
_MAX_HEADING = 120  # longer "headings" are body text in a heading style, kept as paragraphs


def read_docx(doc_id: str, data: bytes, path: str) -> Document:
    """A Word document; the title from its properties, else its first heading, else the file name."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    if data.startswith(OLE_MAGIC):
        raise DocumentError(f"{path}: this is a Word 97-2003 (.doc) file; open it in Word and save it as .docx.")
    open_package(data, path, "a .docx file").close()
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(document))
        title = without_refused(document.core_properties.title or "")
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as error:
        raise DocumentError(f"{path}: cannot read this .docx file ({error}); save it again from Word.") from error
    first_heading = next((b.text for b in blocks if b.level), "")
    return build_document(doc_id, clean_line(title) or first_heading or doc_id, blocks, path=path)


def _blocks(document: Any) -> Any:
    """Blocks of the body in order: a paragraph each, a table row each (cells joined by ' | ')."""
    from docx.table import Table

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            yield from _table_rows(item)
            continue
        text = _clean(item.text)
        if text:
            level = _heading_level(item)
            yield Block(text, level if len(text) <= _MAX_HEADING else 0)


def _table_rows(table: Any) -> Any:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats in every row and column it spans
                continue
            seen.add(id(cell._tc))
            text = _clean(cell.text)
            if text:
                cells.append(text)
        if cells:
            yield Block(" | ".join(cells))


def _heading_level(paragraph: Any) -> int:
    """1–6 for a heading, 0 for body text."""
    level = _outline_level(paragraph._p.pPr)
    style = paragraph.style
    while level is None and style is not None:
        name = style.name or ""
        if name.lower() == "title":
            return 1
        match = _HEADING_STYLE.fullmatch(name)
        level = int(match.group(1)) if match else _outline_level(style.element.pPr)
        style = style.base_style
    return min(level, 6) if level else 0


def _outline_level(properties: Any) -> int | None:
    """The heading level a ``w:outlineLvl`` gives (0 → 1 …), 0 for body text, None when there is none."""
    if properties is None:
        return None
    from docx.oxml.ns import qn

    found = properties.find(qn("w:outlineLvl"))
    if found is None:
        return None
    value = int(found.get(qn("w:val"), "9"))
    return value + 1 if value < 9 else 0


def _clean(text: str) -> str:
    return clean_line(without_refused(text).replace("\n", " "))
