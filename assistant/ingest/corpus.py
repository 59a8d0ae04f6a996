"""Walk a corpus folder and read every supported file into ``Document`` records.

Unreadable files are skipped with a logged reason that names the file (and line, for JSONL);
they never stop the rest of the corpus from being indexed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError, IngestError
from ..records import Document
from ..text.validation import find_problem
from .formats import read_html, read_jsonl, read_markdown, read_text
from .hangul import read_hwp, read_hwpx
from .pdf import read_pdf
from .word import read_docx

log = logging.getLogger(__name__)

TEXT_READERS: dict[str, Callable[[str, str, str], Document]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".txt": read_text,
}
FILE_READERS: dict[str, Callable[[str, bytes, str], Document]] = {
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".hwpx": read_hwpx,
    ".hwp": read_hwp,  # refused with the way to convert it, rather than skipped as unknown
}
SUFFIXES = (*TEXT_READERS, ".jsonl", *FILE_READERS)


@dataclass
class CorpusReport:
    """Documents read from a corpus, and what was skipped and why."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def decode(data: bytes, path: str) -> str:
    """Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else the detected legacy encoding; text holding
    control characters or noncharacters is refused, as every text a user hands the assistant is."""
    text = _decoded(data, path)
    problem = find_problem(text)
    if problem is not None:
        raise DocumentError(f"{path}: the text {problem.sentence()}.")
    return text


def _decoded(data: bytes, path: str) -> str:
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DocumentError(f"{path}: not valid UTF-16 ({error.reason}); save the file as UTF-8.") from error
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{path}: looks like a binary file, not text; convert it to UTF-8 text first.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(f"{path}: unknown text encoding; save the file as UTF-8.")
    log.info("%s: read as %s (not UTF-8)", path, best.encoding)
    return str(best)


def read_file(path: Path, display: str | None = None) -> Iterator[Document | DocumentError]:
    """Every document in one file (one, or one per JSONL line), or the errors that stopped them."""
    shown = display or str(path)
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
        if suffix in FILE_READERS:
            yield FILE_READERS[suffix](path.stem, data, shown)
        elif suffix == ".jsonl":
            yield from read_jsonl(decode(data, shown), shown)
        elif suffix in TEXT_READERS:
            yield TEXT_READERS[suffix](path.stem, decode(data, shown), shown)
        else:
            raise DocumentError(f"{shown}: unsupported file type '{suffix}' (supported: {', '.join(SUFFIXES)}).")
    except DocumentError as error:
        yield error
    except OSError as error:
        yield DocumentError(f"{shown}: cannot read the file ({error.strerror}).")


def corpus_files(folder: Path) -> list[Path]:
    """Supported files under a folder, sorted, hidden files and folders left out."""
    if not folder.is_dir():
        raise IngestError(f"Corpus folder '{folder}' does not exist. Create it and put documents in it.")
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts) or not path.is_file():
            continue
        files.append(path)
    return files


def read_corpus(folder: Path) -> CorpusReport:
    """All documents of a corpus folder; duplicate ids keep the first and skip the rest."""
    report = CorpusReport()
    seen: dict[str, str] = {}
    for path in corpus_files(folder):
        display = str(path.relative_to(folder))
        if path.suffix.lower() not in SUFFIXES:
            report.skipped.append(f"{display}: unsupported file type; skipped.")
            continue
        for item in read_file(path, display):
            if isinstance(item, DocumentError):
                report.skipped.append(str(item))
            elif item.id in seen:
                report.skipped.append(
                    f"{item.path}: document id '{item.id}' is already used by {seen[item.id]}; rename one."
                )
            else:
                seen[item.id] = item.path
                report.documents.append(item)
    for reason in report.skipped:
        log.warning("skipped %s", reason)
    return report
