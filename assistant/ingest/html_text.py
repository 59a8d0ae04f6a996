"""HTML (and Markdown rendered to HTML) → blocks, plus the title, source and date the page declares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .blocks import Block, clean_line

if TYPE_CHECKING:  # bs4 (~0.3 s to import) only when a page is parsed: `ask` and `serve` open indexes without it
    from bs4 import BeautifulSoup

_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "img",
    "picture",
    "video",
    "audio",
    "form",
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = (
    "p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "blockquote", "pre", "section", "article",
    "header", "footer", "aside", "dd", "dt", "dl", "figure", "figcaption", "hr", "br", "main", "caption",
)  # fmt: skip
_MARK = "\x00"
_SOURCE_LABEL = re.compile(r"(출처|원문|원본|source|來源|来源|出處|出处|原文|資料來源|资料来源)\s*[:：]?\s*$", re.I)


@dataclass
class HtmlContent:
    """What an HTML page gives us."""

    blocks: list[Block]
    title: str = ""
    source: str = ""
    date: str = ""
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (text before, link text, href)


def parse_html(html: str) -> HtmlContent:
    """Strip markup and keep headings, the page title, and any declared source or date."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    title_tag = soup.find("title")
    title = clean_line(title_tag.get_text()) if title_tag else ""
    source = _meta_source(soup)
    date = _meta_date(soup)
    for tag in soup.find_all((*_DROP, "head")):
        tag.decompose()
    links = _source_links(soup)
    for heading in soup.find_all(_HEADINGS):
        level = int(heading.name[1])
        heading.replace_with(f"\n{_MARK}{level}{_MARK}{clean_line(heading.get_text(' '))}\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    blocks: list[Block] = []
    for raw in soup.get_text().split("\n"):
        if raw.startswith(_MARK):
            _, depth, text = raw.split(_MARK, 2)
            blocks.append(Block(clean_line(text), int(depth)))
        elif line := clean_line(raw):
            blocks.append(Block(line))
    return HtmlContent(blocks=blocks, title=title, source=source, date=date, links=links)


def _meta_source(soup: BeautifulSoup) -> str:
    from bs4 import Tag

    canonical = soup.find("link", rel="canonical")
    if isinstance(canonical, Tag) and str(canonical.get("href", "")).startswith("http"):
        return str(canonical["href"])
    og = soup.find("meta", property="og:url")
    if isinstance(og, Tag) and str(og.get("content", "")).startswith("http"):
        return str(og["content"])
    return ""


def _meta_date(soup: BeautifulSoup) -> str:
    from bs4 import Tag

    candidates: list[dict[str, Any]] = [
        {"property": "article:published_time"},
        {"name": "date"},
        {"itemprop": "datePublished"},
    ]
    for attrs in candidates:
        meta = soup.find("meta", attrs=attrs)
        if isinstance(meta, Tag) and meta.get("content"):
            return str(meta["content"])
    time_tag = soup.find("time")
    if isinstance(time_tag, Tag) and time_tag.get("datetime"):
        return str(time_tag["datetime"])
    return ""


def _source_links(soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """Every outbound link with the text just before it in its block, for source detection."""
    from bs4 import Tag

    found: list[tuple[str, str, str]] = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"])
        if not href.startswith("http"):
            continue
        parent = anchor.parent
        before = ""
        if isinstance(parent, Tag):
            parent_text = parent.get_text()
            link_text = anchor.get_text()
            before = parent_text.split(link_text, 1)[0] if link_text else parent_text
        found.append((clean_line(before), clean_line(anchor.get_text()), href))
    return found


def pick_source(links: list[tuple[str, str, str]], last_block: str) -> str:
    """A link labelled as the source ("출처:", "來源：", "Source:"), else a last paragraph that is one link."""
    for before, _text, href in links:
        if before and _SOURCE_LABEL.search(before):
            return href
    for before, text, href in reversed(links):
        if not before and text and text == last_block:
            return href
    return ""
