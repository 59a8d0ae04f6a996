"""What ``assistant index info`` shows: the index's manifest and its place (on disk, or the Milvus collection), as
tables or as JSON."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.filesize import decimal
from rich.table import Table
from rich.text import Text

from ..indexing.corpus_location import recorded_corpus
from ..indexing.manifest import Manifest
from ..indexing.storage import current_generation
from ..settings import Settings


@dataclass(frozen=True)
class IndexSummary:
    """An index's manifest, the generation (or collection) being served, the corpus it was built from, and its
    size on disk (a local index)."""

    index_dir: Path
    folder: Path | None
    manifest: Manifest
    corpus_dir: Path | None
    size_bytes: int
    files: int
    collection: str | None = None  # where a remote store keeps it: ``milvus http://host:19530 · name → collection``

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the manifest's fields as stored, with the folders and the size beside them."""
        return {
            "folder": str(self.folder) if self.folder else None,
            "collection": self.collection,
            **asdict(self.manifest),
            "index_dir": str(self.index_dir),
            "corpus_dir": str(self.corpus_dir) if self.corpus_dir else None,
            "size_bytes": self.size_bytes,
            "files": self.files,
        }


def summarize(index_dir: Path) -> IndexSummary:
    """Read the index in ``index_dir`` (its current generation) without loading it."""
    folder = current_generation(index_dir)
    files = [path for path in folder.rglob("*") if path.is_file()]
    return IndexSummary(
        index_dir=index_dir,
        folder=folder,
        manifest=Manifest.read(folder),
        corpus_dir=recorded_corpus(index_dir),
        size_bytes=sum(path.stat().st_size for path in files),
        files=len(files),
    )


def summarize_store(settings: Settings) -> IndexSummary:
    """The index of a remote store (``store.backend`` other than local), as it was built, whatever the settings
    now (its identity is read, not checked)."""
    from ..store.base import SEARCH_STORES

    opened = SEARCH_STORES.load(settings.store.backend).open(settings, None, check=False)  # type: ignore[attr-defined]
    try:
        manifest, collection = opened.built(), opened.location()
    finally:
        opened.close()
    return IndexSummary(settings.index_dir, None, manifest, None, 0, 0, collection)


def print_summary(summary: IndexSummary, console: Console | None = None) -> None:
    """The overview table, then one row per keyword field."""
    console = console or Console()
    console.print(overview_table(summary))
    console.print(fields_table(summary.manifest))


def overview_table(summary: IndexSummary) -> Table:
    """What the index holds, what built it, and where it lives."""
    m = summary.manifest
    table = Table(title=Text(f"index {summary.index_dir}"), show_header=False, box=box.SIMPLE, title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    corpus = "not recorded (built before corpus folders were recorded)"
    if summary.collection is not None:
        corpus = "not recorded in the store"
    elif summary.corpus_dir is not None:
        corpus = str(summary.corpus_dir) + ("" if summary.corpus_dir.is_dir() else " (missing)")
    rows = [
        ("documents", f"{m.documents:,}"),
        ("passages", f"{m.passages:,}"),
        ("languages", _languages(m.languages)),
        ("chunking", _chunking(m.chunking)),
        ("embedder", "\n".join(_embedder(m))),
        ("keyword fields", ", ".join(m.tokenizers) or "none"),
        ("built at", f"{_when(m.built_at)} by assistant {m.package_version} (index format {m.format_version})"),
        ("built from", corpus),
        ("corpus checksum", m.corpus_checksum[:16]),
    ]
    if summary.collection is not None:
        rows.append(("collection", summary.collection))
    else:
        rows += [
            ("generation", str(summary.folder)),
            ("size on disk", f"{decimal(summary.size_bytes)} in {summary.files} files"),
        ]
    rows += [(str(key), str(value)) for key, value in m.extra.items()]
    for name, value in rows:
        table.add_row(name, Text(value))
    return table


def fields_table(manifest: Manifest) -> Table:
    """Each keyword field: the versions of the analysers behind it and its options (and its tokenizer, when one
    is not named like its field)."""
    named = any(description.get("name", field) != field for field, description in manifest.tokenizers.items())
    table = Table(title="keyword fields", box=box.SIMPLE, title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    if named:
        table.add_column("tokenizer", no_wrap=True)
    table.add_column("analysers and options", overflow="fold")
    for field, description in manifest.tokenizers.items():
        details = [
            f"{key.replace('_', ' ')} {_spaced(str(value))}" for key, value in description.items() if key != "name"
        ]
        cells = [Text(str(description.get("name", field)))] if named else []
        table.add_row(field, *cells, Text("\n".join(details) or "-"))
    return table


def _embedder(manifest: Manifest) -> list[str]:
    """The embedder: what it is, its version, its size and the prefixes it adds."""
    info = manifest.embedder_info
    if manifest.embedder is None:
        return ["none (keyword search only)"]
    if not info:
        return [manifest.embedder, f"{manifest.dimension} dimensions, {manifest.vector_index} vector index"]
    version = f"version {info['version']}" if info.get("version") else "version set by the server"
    lines = [
        f"{info.get('name')} · {info.get('model')} · {version}",
        f"{manifest.dimension} dimensions, {manifest.vector_index} vector index",
        f"id {manifest.embedder}",
    ]
    query, passage = info.get("query_prefix", ""), info.get("passage_prefix", "")
    if query or passage:
        lines.append(f"prefixes: query {query!r}, passage {passage!r}")
    return lines


def _languages(languages: dict[str, int]) -> str:
    """Passages per language: ``ko 49 · zh-Hant 75``."""
    return " · ".join(f"{name} {count:,}" for name, count in languages.items()) or "none"


def _chunking(chunking: dict[str, int]) -> str:
    """Passage sizes in characters, Chinese apart when it has its own."""
    text = f"{chunking.get('size')} characters, {chunking.get('overlap')} overlapping"
    if "chinese_size" in chunking:
        text += f"; Chinese {chunking['chinese_size']}, {chunking.get('chinese_overlap')} overlapping"
    known = {"size", "overlap", "chinese_size", "chinese_overlap"}
    return text + "".join(f"; {key} {value}" for key, value in chunking.items() if key not in known)


def _when(stamp: str) -> str:
    """An ISO time as ``2026-12-02 14:50:37 UTC``; as stored when it is not one."""
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M:%S %Z").rstrip()
    except ValueError:
        return stamp


def _spaced(value: str) -> str:
    """A comma list with room to wrap: ``MAG,NNG`` -> ``MAG, NNG``."""
    return re.sub(r",(?=\S)", ", ", value)
