"""A BM25 field's vocabulary: the column of each term, and the terms by column.

While a field grows it is a dict and a list (a new term takes the next column). A saved vocabulary opens as
arrays instead: the terms' UTF-8 one after another in column order, and a 64-bit hash of each term, sorted, beside
its column; finding a term is a hash, a binary search and one comparison. That is about 25 bytes a term against
about 150 as a dict of Python strings, with nothing parsed on load. The first new term turns it back into a dict
and a list (a write, which reads the whole field anyway).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_PARTS = ("utf8", "offsets", "hashes", "order")


def term_hash(term: str) -> int:
    """A 64-bit hash of a term that is the same in every process (``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class _Saved:
    """A vocabulary as arrays (see the module's docstring)."""

    utf8: np.ndarray  # uint8: the terms' UTF-8, in column order
    offsets: np.ndarray  # int64 (n + 1): where each column's term starts in ``utf8``
    hashes: np.ndarray  # uint64, sorted: ``term_hash`` of every term
    order: np.ndarray  # int64: the column of each hash

    def term(self, column: int) -> str:
        return self.utf8[int(self.offsets[column]) : int(self.offsets[column + 1])].tobytes().decode("utf-8")

    def columns(self, terms: Sequence[str]) -> list[int | None]:
        # plain views of the memory-mapped arrays: indexing a memmap costs microseconds per call on its own
        sorted_hashes, order, offsets = np.asarray(self.hashes), np.asarray(self.order), np.asarray(self.offsets)
        hashes = np.fromiter((term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))
        places = np.searchsorted(sorted_hashes, hashes)
        last = np.minimum(places, len(sorted_hashes) - 1)
        held = (sorted_hashes[last] == hashes).tolist() if len(sorted_hashes) else [False] * len(terms)
        columns = order[last] if len(sorted_hashes) else last
        starts, ends = offsets[columns].tolist(), offsets[columns + 1].tolist()
        utf8 = np.asarray(self.utf8).data
        found: list[int | None] = []
        for i, term in enumerate(terms):
            column = None
            if held[i]:
                place = int(places[i])
                if str(utf8[starts[i] : ends[i]], "utf-8") == term:
                    column = int(columns[i])
                else:  # another term with the same hash comes first (rare, but possible): look at the others
                    while place + 1 < len(sorted_hashes) and sorted_hashes[place + 1] == hashes[i]:
                        place += 1
                        if self.term(int(order[place])) == term:
                            column = int(order[place])
                            break
            found.append(column)
        return found

    @classmethod
    def of(cls, terms: Sequence[str]) -> _Saved:
        encoded = [term.encode("utf-8") for term in terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable").astype(np.int64)
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets, hashes[order], order)


class Vocabulary:
    """Term → column and column → term, growing by ``add``."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._terms: list[str] | None = list(terms)
        self._columns: dict[str, int] | None = {term: i for i, term in enumerate(self._terms)}
        self._saved: _Saved | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        terms = self._terms
        if terms is not None:
            return len(terms)
        assert self._saved is not None
        return len(self._saved.offsets) - 1

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def get(self, term: str) -> int | None:
        """The term's column, or ``None``."""
        return self.columns([term])[0]

    def columns(self, terms: Sequence[str]) -> list[int | None]:
        """Each term's column (``None`` for a term not held), in one pass."""
        known = self._columns
        if known is not None:
            return [known.get(term) for term in terms]
        assert self._saved is not None
        return self._saved.columns(terms) if terms else []

    def growing(self) -> dict[str, int]:
        """Term → column as a dict, to look up many terms quickly while adding (a saved one is read into it)."""
        known = self._columns
        return known if known is not None else self._opened()

    def append(self, term: str) -> int:
        """Add a term not held yet; its column."""
        known = self.growing()
        assert self._terms is not None and term not in known
        column = known[term] = len(self._terms)
        self._terms.append(term)
        return column

    @property
    def terms(self) -> list[str]:
        """Every term, by column (a saved vocabulary is read into a list for this)."""
        if self._terms is None:
            self._opened()
        assert self._terms is not None
        return self._terms

    def save(self, folder: Path, name: str) -> None:
        """Write ``name.<part>.npy`` for each of the arrays."""
        saved = self._saved if self._terms is None and self._saved is not None else _Saved.of(self.terms)
        for part in _PARTS:
            np.save(folder / f"{name}.{part}.npy", getattr(saved, part))

    @classmethod
    def load(cls, folder: Path, name: str) -> Vocabulary:
        """Open what ``save`` wrote, memory-mapped (the generation must stay leased)."""
        vocabulary = cls()
        arrays = (np.load(folder / f"{name}.{part}.npy", mmap_mode="r") for part in _PARTS)
        vocabulary._saved = _Saved(*arrays)
        vocabulary._terms = vocabulary._columns = None
        return vocabulary

    def _opened(self) -> dict[str, int]:
        """The dict and list of a saved vocabulary, made now."""
        with self._lock:
            if self._columns is None:
                assert self._saved is not None
                saved = self._saved
                terms = [saved.term(column) for column in range(len(saved.offsets) - 1)]
                self._terms, self._columns = terms, {term: i for i, term in enumerate(terms)}
            return self._columns
