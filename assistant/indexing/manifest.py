"""The manifest that makes an index folder self-describing, and the check that it fits the settings in force.

The check compares what decides the index's contents: chunking, each keyword field's tokenizer with the
versions of its analysers (and the checksum of its user dictionaries), and the embedder (its id names
model and version; dimension and prefixes too).
Any difference is refused with the command that rebuilds the index, never served with wrong answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IndexMismatchError
from ..text.morphemes import DEFAULT_WORDS_KEY, MULTI_WORDS_KEY

FORMAT_VERSION = 2  # 2: passages as columns (passage_table), BM25 weights saved (bm25)
FILE = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    """What an index was built with and from."""

    format_version: int
    chunking: dict[str, int]
    tokenizers: dict[str, dict[str, str]]
    embedder: str | None
    dimension: int
    vector_index: str
    corpus_checksum: str
    documents: int
    passages: int
    languages: dict[str, int]
    next_key: int
    built_at: str
    package_version: str
    extra: dict[str, Any] = field(default_factory=dict)
    embedder_info: dict[str, Any] = field(default_factory=dict)  # EmbedderInfo: name, model, version, prefixes
    corpus_folder: str | None = None  # the folder it was built from, relative to the index folder (corpus_location)

    def write(self, folder: Path) -> None:
        """Save as ``manifest.json``."""
        (folder / FILE).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Load ``manifest.json``, refusing formats this version cannot read."""
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"The index in '{folder.parent}' has format version {data.get('format_version')}; this version "
                f"of the assistant reads version {FORMAT_VERSION}. Rebuild it with: assistant index build --full"
            )
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def corpus_checksum(document_checksums: dict[str, str]) -> str:
    """One hash over every document's id and content hash."""
    digest = hashlib.sha256()
    for doc_id in sorted(document_checksums):
        digest.update(f"{doc_id}\x00{document_checksums[doc_id]}\x00".encode())
    return digest.hexdigest()


def check_compatible(manifest: Manifest, expected: dict[str, Any], where: Path) -> None:
    """Raise ``IndexMismatchError`` naming every setting that differs from what the index was built with.

    ``expected`` may hold: chunking, tokenizers (field → description), embedder (id), dimension, and
    prefixes ((query, passage), compared only when the manifest records them).
    """
    built: dict[str, Any] = {
        "chunking": manifest.chunking,
        "tokenizers": manifest.tokenizers,
        "embedder": manifest.embedder,
        "dimension": manifest.dimension,
    }
    info = manifest.embedder_info
    if "query_prefix" in info and "passage_prefix" in info:
        built["prefixes"] = (info["query_prefix"], info["passage_prefix"])
    differences = [
        _difference(key, built[key], expected[key]) for key in built if key in expected and built[key] != expected[key]
    ]
    if differences:
        raise IndexMismatchError(
            f"The index in '{where}' was built with other settings ({'; '.join(differences)}). "
            f"Rebuild it with: assistant index build --full --index {where}, or change the settings back."
        )


def _difference(key: str, built: Any, wanted: Any) -> str:
    if key == "tokenizers" and isinstance(built, dict) and isinstance(wanted, dict):
        changed = [
            f"{name} {built.get(name)!r} → {wanted.get(name)!r}"
            for name in sorted(set(built) | set(wanted))
            if built.get(name) != wanted.get(name)
        ]
        return (
            "tokenizers (other fields, analyser versions or user dictionaries): "
            + ", ".join(changed)
            + "".join(_kiwi_hint(built.get(name), wanted.get(name)) for name in sorted(set(built) & set(wanted)))
        )
    return f"{key}: index has {built!r}, settings ask for {wanted!r}"


# kiwi's dictionaries a setting leaves out, as the morphemes tokenizer records them (absent means on):
# (key, what it is, the setting in ``dictionary``)
_KIWI_CHOICES = (
    (MULTI_WORDS_KEY, "multi-word dictionary", "korean_multi_words"),
    (DEFAULT_WORDS_KEY, "default dictionary of names", "korean_default_words"),
)


def _kiwi_hint(built: Any, wanted: Any) -> str:
    """The settings to change back when kiwi's dictionaries are what differs."""
    if not isinstance(built, dict) or not isinstance(wanted, dict):
        return ""
    hints = []
    for key, what, setting in _KIWI_CHOICES:
        was, now = (description.get(key, "on") for description in (built, wanted))
        if was != now:
            hints.append(
                f"; kiwi's {what} was {was} when the index was built and is {now} now: set "
                f"ASSISTANT_DICTIONARY__{setting.upper()}={'true' if was == 'on' else 'false'} "
                f"(dictionary.{setting}) to use this index"
            )
    return "".join(hints)
