"""Plain-text answers for messaging bots: the short answer first, numbered sources (or, when the documents do not
answer, an unnumbered block of related documents), trimming to a limit, splitting into messages, and a short
memory of requests already answered so a redelivered message is answered once.

Framework-free: the Kakao and Telegram routes translate these to their own JSON.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ..records import Answer, Citation, Hit, Passage

T = TypeVar("T")

ELLIPSIS = "…"
# A sentence ends at . ! ? (before whitespace) or at 。！？, with any [n] markers that follow it.
_SENTENCE_END = re.compile(r"(?:[.!?](?:\s?\[\d+\])*(?=\s|$)|[。！？](?:\s?\[\d+\])*)")
_OPEN_MARKER = re.compile(r"\[\d*$")
_MARKER = re.compile(r"\[(\d+)\]")


MAX_URL = 300
SHORT_ANSWER_MARK = "→ "
SHORT_ANSWER_LIMIT = 200
RELATED_MARK = "• "
RELATED_TITLE = {"ko": "관련 문서", "zh-Hant": "相關文件", "zh-Hans": "相关文件"}


def passage_label(passage: Passage, *, url: bool = True, title_limit: int | None = None) -> str:
    """``title · section — url`` (the URL only when asked for and the passage has a web address of sane length)."""
    title = passage.title or passage.document_id
    if passage.section and passage.section != title:
        title = f"{title} · {passage.section}"
    if title_limit is not None:
        title = fit_text(title, title_limit)
    link = passage.source if url and is_web_link(passage.source) else ""
    return title + (f" — {link}" if link else "")


def source_line(citation: Citation, *, url: bool = True, title_limit: int | None = None) -> str:
    """``[n] title — url``: a numbered source."""
    return f"[{citation.n}] " + passage_label(citation.passage, url=url, title_limit=title_limit)


def is_web_link(source: str) -> bool:
    """Whether a passage source is an http(s) address a chat app can open."""
    return (
        source.startswith(("http://", "https://")) and len(source) <= MAX_URL and not any(c.isspace() for c in source)
    )


def fit_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a sentence, line or word end, never inside an [n] marker."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    window = text[:room]
    cut = _last_boundary(window, floor=room // 2)
    kept = window[:cut].rstrip()
    kept = _OPEN_MARKER.sub("", kept).rstrip()
    return kept + ELLIPSIS


def _last_boundary(window: str, floor: int) -> int:
    """Where to cut ``window``: after its last sentence, else at its last line break or space, else its end."""
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() >= floor]
    if ends:
        return ends[-1]
    for separator in ("\n", " "):
        at = window.rfind(separator)
        if at >= floor:
            return at
    return len(window)


def render_reply(
    text: str, citations: Iterable[Citation], limit: int, *, urls: bool = True, linked: frozenset[int] = frozenset()
) -> str:
    """Answer text, a blank line and its numbered sources within ``limit`` characters (``linked``: no URL shown)."""
    # When trimming, only the sources the surviving text still cites are listed; [n] markers are never cut.
    citations = list(citations)
    lines = {c.n: source_line(c, url=urls and c.n not in linked) for c in citations}
    whole = _join(text.strip(), list(lines.values()))
    if len(whole) <= limit:
        return whole
    lines = {c.n: source_line(c, url=urls and c.n not in linked, title_limit=60) for c in citations}
    block_budget = limit // 3
    kept_lines: dict[int, str] = {}
    for n, line in lines.items():
        if sum(len(x) + 1 for x in kept_lines.values()) + len(line) > block_budget:
            break
        kept_lines[n] = line
    body = fit_text(text, limit - len(_join("", list(kept_lines.values()))))
    cited = {int(m) for m in _MARKER.findall(body)}
    if cited:
        kept_lines = {n: line for n, line in kept_lines.items() if n in cited}
    return _join(body, list(kept_lines.values()))[:limit]


def reply_text(
    answer: Answer, limit: int | None = None, *, urls: bool = True, linked: frozenset[str] = frozenset()
) -> str:
    """The whole reply: the short answer, the text and its numbered sources (or, when the documents do not
    answer, the related documents), trimmed to ``limit`` characters when one is given.

    ``linked`` names web addresses shown elsewhere (as buttons), whose URLs the text leaves out.
    """
    if answer.abstained:
        return render_related(answer.text, answer.related, related_title(answer), limit, urls=urls, linked=linked)
    head = short_answer_line(answer)
    room = None if limit is None else max(limit - len(head), 0)
    numbers = frozenset(c.n for c in answer.citations if c.passage.source in linked)
    if room is None:
        lines = [source_line(c, url=urls and c.n not in numbers) for c in answer.citations]
        body = _join(answer.text.strip(), lines)
    else:
        body = render_reply(answer.text, answer.citations, room, urls=urls, linked=numbers)
    return head + body if limit is None else (head + body)[:limit]


def short_answer_line(answer: Answer) -> str:
    """``→ PHRASE`` and a line break when the answer has a short answer (and did not abstain), else ""."""
    phrase = " ".join(answer.short_answer.split())
    if not phrase or answer.abstained:
        return ""
    return SHORT_ANSWER_MARK + fit_text(phrase, SHORT_ANSWER_LIMIT) + "\n"


def related_title(answer: Answer) -> str:
    """ "Related documents" in the answer's language."""
    return RELATED_TITLE.get(answer.language.value, "Related documents")


def related_line(hit: Hit, *, url: bool = True, title_limit: int | None = None) -> str:
    """``• title · section — url``: a related passage, deliberately unnumbered (it is not a citation)."""
    return RELATED_MARK + passage_label(hit.passage, url=url, title_limit=title_limit)


def render_related(
    text: str, related: Iterable[Hit], title: str, limit: int | None = None, *, urls: bool = True,
    linked: frozenset[str] = frozenset(),
) -> str:  # fmt: skip
    """The not-found text, a blank line, ``title`` and one line per related passage, within ``limit`` characters.

    The text is kept whole as far as it can be; the related lines come next, as many as fit, then the text is
    trimmed to what is left.
    """
    # Passages of one document under one heading are listed once.
    unique: dict[tuple[str, str, str], Hit] = {}
    for hit in related:
        unique.setdefault((hit.passage.document_id, hit.passage.section, hit.passage.source), hit)
    hits = list(unique.values())

    def lines(title_limit: int | None) -> list[str]:
        return [related_line(h, url=urls and h.passage.source not in linked, title_limit=title_limit) for h in hits]

    whole = _join(text.strip(), _block(title, lines(None)))
    if limit is None or len(whole) <= limit:
        return whole
    text = text.strip()
    budget = max(limit - min(len(text), limit // 2) - 2, 0)  # the text keeps at least half when it needs it
    kept: list[str] = []
    for line in lines(60):
        if len("\n".join(_block(title, [*kept, line]))) > budget:
            break
        kept.append(line)
    block = _block(title, kept)
    body = fit_text(text, max(limit - len(_join("", block)), 0))
    return _join(body, block)[:limit]


def _block(title: str, lines: list[str]) -> list[str]:
    return [title, *lines] if lines else []


def _join(text: str, lines: list[str]) -> str:
    if not lines:
        return text
    return (text + "\n\n" if text else "\n\n") + "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, split at paragraphs, lines, sentences, then words."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = _split_point(window)
        chunk = rest[:cut].rstrip()
        if not chunk:  # only whitespace before the cut: take the window as it is
            chunk, cut = window, limit
        chunks.append(chunk)
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _split_point(window: str) -> int:
    floor = len(window) // 4
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at >= floor:
            return at
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() >= floor]
    if ends:
        return ends[-1]
    at = window.rfind(" ")
    if at >= floor:
        return at
    marker = _OPEN_MARKER.search(window)  # never split "[12]" into "[1" and "2]"
    return marker.start() if marker and marker.start() > 0 else len(window)


class RecentRequests(Generic[T]):
    """Keys seen in the last ``ttl`` seconds, each with a value (a pending answer, say); thread-safe.

    A messenger that redelivers a request (a Telegram ``update_id`` again, the same Kakao question twice)
    finds the first delivery's value instead of starting the work again.
    """

    def __init__(self, ttl: float, max_items: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_add(self, key: str, make: Callable[[], T]) -> tuple[T, bool]:
        """The value stored for ``key`` within the window and False, or ``make()`` (now stored) and True."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            found = self._items.get(key)
            if found is not None:
                return found[1], False
            value = make()
            self._items[key] = (now, value)
            if len(self._items) > self.max_items:
                self._items.popitem(last=False)
            return value, True

    def add(self: RecentRequests[bool], key: str) -> bool:
        """Remember ``key``; True the first time within the window, False for a repeat."""
        return self.get_or_add(key, lambda: True)[1]

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._items)

    def _expire(self, now: float) -> None:
        while self._items:
            oldest = next(iter(self._items.values()))
            if now - oldest[0] < self.ttl:
                break
            self._items.popitem(last=False)
