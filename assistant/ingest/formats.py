"""One reader per text format (Markdown, HTML, plain text, JSONL); each turns raw content into a ``Document``.

Binary formats have a module each: ``pdf``, ``word`` (.docx) and ``hangul`` (.hwpx; .hwp is refused).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import DocumentError, InvalidTextError
from ..records import Document, Language
from ..text.validation import check_strings
from .blocks import Block, build_document, clean_line
from .html_text import HtmlContent, parse_html, pick_source

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[./\-年]\s?(\d{1,2})[./\-月]\s?(\d{1,2})(?!\d)")
_LABELLED_URL = re.compile(r"(?:출처|원문|source|來源|来源|出處|出处|原文)\s*[:：]\s*(https?://\S+)", re.I)
_SOURCE_KEYS = ("source", "url", "link", "canonical_url", "original_url", "source_url")
_LANGUAGE_NAMES = {
    "ko": Language.KOREAN, "kr": Language.KOREAN, "korean": Language.KOREAN,
    "zh-hant": Language.TRADITIONAL, "zh-tw": Language.TRADITIONAL, "zh-hk": Language.TRADITIONAL,
    "zh-hans": Language.SIMPLIFIED, "zh-cn": Language.SIMPLIFIED, "zh": Language.SIMPLIFIED,
}  # fmt: skip


def read_markdown(doc_id: str, text: str, path: str) -> Document:
    """Markdown with optional YAML front matter; inline HTML is allowed and stripped."""
    from markdown_it import MarkdownIt

    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            raise DocumentError(f"{path}: the YAML front matter is not valid YAML ({error}).") from error
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return _from_html_content(doc_id, parse_html(html), path, meta)


def read_html(doc_id: str, text: str, path: str) -> Document:
    """An HTML page."""
    return _from_html_content(doc_id, parse_html(text), path, {})


_MARKDOWN_HINT = re.compile(r"\A---[ \t]*\r?\n|^#{1,6}[ \t]+\S|<(?:p|h[1-6]|div|ul|table)[\s>]", re.M)


def read_text(doc_id: str, text: str, path: str) -> Document:
    """Plain text: the first line is the title when it is short. Text that is really Markdown
    (front matter, ``#`` headings or HTML blocks) is read as Markdown."""
    if _MARKDOWN_HINT.search(text):
        return read_markdown(doc_id, text, path)
    lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    title = lines[0] if lines and len(lines[0]) <= 120 and len(lines) > 1 else doc_id
    body = lines[1:] if title == (lines[0] if lines else None) else lines
    labelled = _LABELLED_URL.search(text)
    return build_document(
        doc_id,
        title,
        [Block(line) for line in body],
        path=path,
        source=labelled.group(1) if labelled else "",
        date=_find_date("\n".join(lines[:6])),
    )


def read_jsonl(text: str, path: str) -> Iterator[Document | DocumentError]:
    """One document per line; a bad line yields a ``DocumentError`` naming the file and line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield DocumentError(f"{where}: not valid JSON ({error.msg} at column {error.colno}).")
            continue
        if not isinstance(record, dict):
            yield DocumentError(f"{where}: expected a JSON object with 'id', 'title' and 'text'.")
            continue
        try:
            check_strings(record, "")
        except InvalidTextError as error:
            yield DocumentError(f"{where}: {error}")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield DocumentError(f"{where}: the 'text' field is missing or empty.")
            continue
        doc_id = str(record.get("id") or f"{Path(path).stem}-{number}")
        known = {"id", "title", "text", "lang", "language", "date", *_SOURCE_KEYS}
        paragraphs = [Block(clean_line(p)) for p in re.split(r"\n+", body) if clean_line(p)]
        try:
            yield build_document(
                doc_id,
                str(record.get("title") or doc_id),
                paragraphs,
                path=where,
                source=_first_source(record),
                date=_as_date(record.get("date")),
                language=_language(record.get("lang") or record.get("language")),
                metadata={k: v for k, v in record.items() if k not in known},
            )
        except DocumentError as error:
            yield error


def _from_html_content(doc_id: str, content: HtmlContent, path: str, meta: dict[str, Any]) -> Document:
    blocks = content.blocks
    first_heading = next((b.text for b in blocks if b.level), "")
    title = str(meta.get("title") or content.title or first_heading or doc_id)
    last_block = blocks[-1].text if blocks else ""
    source = _first_source(meta) or content.source or pick_source(content.links, last_block)
    head_text = "\n".join(b.text for b in blocks[:6])
    date = _as_date(meta.get("date")) or _as_date(content.date) or _find_date(head_text)
    known = {"title", "date", "lang", "language", *_SOURCE_KEYS}
    extra = {k: v for k, v in meta.items() if k not in known and isinstance(v, str | int | float | list)}
    return build_document(
        doc_id, title, blocks, path=path, source=source, date=date,
        language=_language(meta.get("lang") or meta.get("language")), metadata=extra,
    )  # fmt: skip


def _first_source(record: dict[str, Any]) -> str:
    for key in _SOURCE_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.startswith("http"):
            return value
    return ""


def _language(value: object) -> Language | None:
    return _LANGUAGE_NAMES.get(str(value).lower()) if value else None


def _as_date(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return _find_date(str(value)) if value else ""


def _find_date(text: str) -> str:
    match = _DATE.search(text)
    if not match:
        return ""
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""
