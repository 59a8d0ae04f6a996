"""BM25 over a sparse term-frequency matrix (scipy.sparse), with rows that can be added and removed.

Term frequencies are kept, so an update re-weights the matrix (vectorised, no re-tokenisation) instead of
re-reading the corpus. Weighting is lazy: added rows wait as blocks, and the matrix is assembled and weighted
once, when it is next read (or on ``commit``), so a build that adds many batches weights once, not per batch.
A saved field keeps its weights beside its counts (one ``.npy`` per array) and opens them memory-mapped: a loaded
index is searched as saved, with nothing re-weighted, and only the postings its queries read become resident.
Scores are divided by the best score the query could reach, giving a number in [0, 1) that means the same
thing across queries: the share of the query's term weight a passage matches.

In a corpus of several languages, a term is only ever found in passages of its own script: counting
its document frequency against all rows would give 的 or 하 a high IDF just because the Korean (or
Chinese) passages lack it. So each term's IDF and each row's length norm are taken within its script
(Han, Hangul, or other), as if each language had its own index.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .vocabulary import Vocabulary

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
SCRIPTS = 3  # other, Han, Hangul


def script_of(term: str) -> int:
    """0 for Latin, numbers and the rest, 1 for a Han term, 2 for a Hangul one (by its first character)."""
    if _HAN.match(term):
        return 1
    if _HANGUL.match(term):
        return 2
    return 0


@dataclass(frozen=True)
class Weights:
    """A field's BM25 weights as of one set of rows: swapped in whole, so a reader never sees half an update."""

    matrix: sp.csc_matrix  # rows × terms; a column's postings are what a query term touches
    idf: np.ndarray
    missing_idf: float  # the IDF of a term no row holds


class BM25Field:
    """One BM25-scored field (one tokenizer's terms) over all passages, rows in passage order."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.vocabulary = Vocabulary()
        self._scripts: list[int] | None = []  # script_of each term, by column (None: not worked out yet)
        self._counts: sp.csr_matrix | None = sp.csr_matrix((0, 0), dtype=np.float32)
        self._blocks: list[sp.csr_matrix] = []  # rows added since the counts were last assembled
        self._rows = 0
        self._weighted: Weights | None = None
        self._lock = threading.Lock()

    @property
    def rows(self) -> int:
        """Number of passages."""
        return self._rows

    @property
    def scripts(self) -> list[int]:
        """``script_of`` each term, by column (worked out when first needed: a loaded field is weighted already)."""
        scripts = self._scripts
        if scripts is None:
            scripts = self._scripts = [script_of(term) for term in self.vocabulary.terms]
        return scripts

    @property
    def counts(self) -> sp.csr_matrix:
        """Term counts, one row per passage, one column per term."""
        if self._blocks:
            with self._lock:
                self._assemble()
        return self._held_counts()

    @counts.setter
    def counts(self, counts: sp.spmatrix) -> None:
        with self._lock:
            self._counts = sp.csr_matrix(counts, dtype=np.float32)
            self._blocks = []
            self._rows = int(self._counts.shape[0])
            self._weighted = None

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        """Append one row per token list (new terms extend the vocabulary); weighted when next read."""
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        ids = self._term_ids(list(chain.from_iterable(token_lists)))
        width = max(len(self.vocabulary), 1)
        # one pass for the whole batch: (row, term) pairs sorted and counted, as a per-row np.unique would
        pairs, counts = np.unique(np.repeat(np.arange(len(token_lists)), lengths) * width + ids, return_counts=True)
        indptr = np.zeros(len(token_lists) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pairs // width, minlength=len(token_lists)), out=indptr[1:])
        block = sp.csr_matrix(
            (counts.astype(np.float32), (pairs % width).astype(np.int32), indptr),
            shape=(len(token_lists), len(self.vocabulary)),
        )
        with self._lock:
            self._blocks.append(block)
            self._rows += len(token_lists)
            self._weighted = None

    def remove(self, keep: np.ndarray) -> None:
        """Keep only the rows where the boolean mask is true."""
        self.counts = self.counts[keep]

    def commit(self) -> None:
        """Assemble and weight what was added now rather than at the next read."""
        self._weights()

    def scores(
        self, tokens: Sequence[str], rows: np.ndarray | None = None, slots: np.ndarray | None = None
    ) -> np.ndarray:
        """Normalised BM25 score of every row for a query, in [0, 1); only of ``rows`` (sorted, holding every row
        the query's terms touch, see ``touched``) when given, with the same values (``slots``: see ``accumulate``)."""
        raw = np.zeros(self.rows if rows is None else len(rows), dtype=np.float32)
        columns, best = self.query_columns(tokens)
        if not columns:
            return raw
        self.accumulate(columns, raw, rows, slots)
        return raw / np.float32(best)

    def touched(self, columns: Mapping[int, int]) -> list[np.ndarray]:
        """The rows holding each of these columns."""
        matrix = self._weights().matrix
        return [matrix.indices[matrix.indptr[column] : matrix.indptr[column + 1]] for column in columns]

    def query_columns(self, tokens: Sequence[str]) -> tuple[dict[int, int], float]:
        """The query's known columns (column → times asked) and the best raw score it could reach."""
        if not tokens or self.rows == 0:
            return {}, 0.0
        weighted = self._weights()
        known: dict[int, int] = {}
        best = 0.0
        for column in self.vocabulary.columns(tokens):
            if column is None:
                best += weighted.missing_idf * (self.k1 + 1)
            else:
                known[column] = known.get(column, 0) + 1
                best += float(weighted.idf[column]) * (self.k1 + 1)
        if best <= 0:
            return {}, 0.0
        return known, best

    def accumulate(
        self,
        columns: Mapping[int, int],
        raw: np.ndarray,
        rows: np.ndarray | None = None,
        slots: np.ndarray | None = None,
    ) -> None:
        """Add the raw weights of ``columns`` (from ``query_columns``) into ``raw``: one slot per row, or per row
        of ``rows`` (sorted, holding all the columns' rows) when given; ``slots`` (each row's place in ``rows``, one
        entry per row) spares a binary search per posting.

        Straight from the CSC arrays: scipy's fancy column indexing costs about a millisecond per call, an
        order of magnitude more than the sums themselves.
        """
        matrix = self._weights().matrix
        indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
        for column, count in columns.items():
            start, end = indptr[column], indptr[column + 1]
            postings = indices[start:end]
            if slots is not None:
                postings = slots[postings]
            elif rows is not None:
                postings = np.searchsorted(rows, postings)
            raw[postings] += data[start:end] if count == 1 else np.float32(count) * data[start:end]

    def rarity(self, term: str) -> float:
        """How rare a term is among the rows, 0 (in every row) to 1 (in none): its IDF over an unseen term's."""
        column = self.vocabulary.get(term)
        weighted = self._weights()
        if column is None or weighted.missing_idf <= 0:
            return 1.0
        return min(float(weighted.idf[column]) / weighted.missing_idf, 1.0)

    def save(self, folder: Path, name: str, counts: bool = True) -> None:
        """Write the weights (``name.weights.*.npy``, ``name.idf.npy``), the counts (``name.counts.*.npy``, unless
        ``counts`` is false: a field derived from others) and the vocabulary (``name.terms.*.npy``)."""
        weighted = self._weights()
        _save_matrix(folder, f"{name}.weights", weighted.matrix)
        np.save(folder / f"{name}.idf.npy", weighted.idf)
        if counts:
            _save_matrix(folder, f"{name}.counts", self.counts)
            self.vocabulary.save(folder, f"{name}.terms")

    @classmethod
    def load(
        cls, folder: Path, name: str, k1: float = 1.2, b: float = 0.75, like: BM25Field | None = None
    ) -> BM25Field:
        """Open what ``save`` wrote, memory-mapped and weighted as saved (the generation must stay leased); a
        field saved without counts shares the vocabulary of the field it was derived from (``like``) and cannot
        be changed."""
        field = cls(k1, b)
        if like is None:
            field.vocabulary = Vocabulary.load(folder, f"{name}.terms")
            field._scripts = None
            field._counts = _load_matrix(folder, f"{name}.counts", sp.csr_matrix)
        else:
            field.vocabulary, field._scripts = like.vocabulary, like._scripts
            field._counts = None
        matrix = _load_matrix(folder, f"{name}.weights", sp.csc_matrix)
        field._rows = int(matrix.shape[0])
        field._weighted = Weights(matrix, np.load(folder / f"{name}.idf.npy"), _missing_idf(field._rows))
        return field

    @classmethod
    def from_counts(cls, counts: sp.spmatrix, like: BM25Field) -> BM25Field:
        """A field over other rows (e.g. per-document sums) sharing ``like``'s vocabulary."""
        field = cls(like.k1, like.b)
        field.vocabulary, field._scripts = like.vocabulary, like.scripts
        field.counts = counts
        return field

    def _term_ids(self, terms: list[str]) -> np.ndarray:
        """Each term's column, new terms added to the vocabulary (and their scripts to ``scripts``) in the order
        they first appear, as adding them one by one would; the lookups run in C (a Python call per term was about
        a tenth of a profiled build)."""
        vocabulary, scripts = self.vocabulary, self.scripts  # scripts worked out before a term is added
        known = vocabulary.growing()
        for term in dict.fromkeys(terms):  # distinct, in order of first appearance
            if term not in known:
                vocabulary.append(term)
                scripts.append(script_of(term))
        return np.fromiter(map(known.__getitem__, terms), dtype=np.int64, count=len(terms))

    def _held_counts(self) -> sp.csr_matrix:
        if self._counts is None:
            raise ValueError("this field was loaded without its counts (derived from another): derive it again")
        return self._counts

    def _assemble(self) -> None:
        """Stack the waiting blocks under the counts (caller holds the lock): one copy for all of them."""
        width = len(self.vocabulary)
        parts = [self._held_counts(), *self._blocks]
        indptr = [np.zeros(1, dtype=np.int64)]
        offset = 0
        for part in parts:
            indptr.append(part.indptr[1:].astype(np.int64) + offset)
            offset += part.nnz
        indices = np.concatenate([part.indices for part in parts]).astype(np.int32, copy=False)
        data = np.concatenate([part.data for part in parts]).astype(np.float32, copy=False)
        self._counts = sp.csr_matrix((data, indices, np.concatenate(indptr)), shape=(self._rows, width))
        self._blocks = []

    def _weights(self) -> Weights:
        weighted = self._weighted
        if weighted is not None:
            return weighted
        with self._lock:
            if self._weighted is None:
                if self._blocks:
                    self._assemble()
                self._weighted = self._reweight(self._held_counts())
            return self._weighted

    def _reweight(self, counts: sp.csr_matrix) -> Weights:
        rows, width = counts.shape
        width = max(width, len(self.vocabulary))
        if counts.shape[1] != width:
            counts = sp.csr_matrix((counts.data, counts.indices, counts.indptr), shape=(rows, width))
        script = np.asarray(self.scripts[:width], dtype=np.int64)
        row_of = np.repeat(np.arange(rows), np.diff(counts.indptr))
        tf = counts.data
        # per row and script: how many terms it holds; a row's length and average are those of its main script
        # (counts are whole numbers, so summing them in any order gives the same float32)
        by_script = (
            np.bincount(row_of * SCRIPTS + script[counts.indices], weights=tf, minlength=rows * SCRIPTS)
            .astype(np.float32)
            .reshape(rows, SCRIPTS)
        )
        rows_with = np.maximum((by_script > 0).sum(axis=0), 1).astype(np.float32)
        rows_with[0] = max(rows, 1)  # Latin words and numbers turn up in every language
        frequency = np.bincount(counts.indices, minlength=width).astype(np.float32)
        unseen = np.maximum(rows_with[script] - frequency + 0.5, 0.5)
        idf = np.log1p(unseen / (frequency + 0.5)).astype(np.float32)
        lengths = by_script.sum(axis=1)
        main = by_script.argmax(axis=1)
        average = np.ones(SCRIPTS, dtype=np.float32)
        for kind in range(SCRIPTS):
            if (main == kind).any():
                average[kind] = max(float(lengths[main == kind].mean()), 1e-9)
        norm = self.k1 * (1 - self.b + self.b * lengths[row_of] / average[main][row_of])
        values = idf[counts.indices] * tf * (self.k1 + 1) / (tf + norm)
        matrix = sp.csr_matrix((values.astype(np.float32), counts.indices, counts.indptr), shape=(rows, width)).tocsc()
        return Weights(matrix, idf, _missing_idf(rows))


def _missing_idf(rows: int) -> float:
    """The IDF of a term no row holds."""
    return float(np.log1p((rows + 0.5) / 0.5))


_PARTS = ("data", "indices", "indptr")


def _save_matrix(folder: Path, name: str, matrix: sp.csr_matrix | sp.csc_matrix) -> None:
    """A sparse matrix as one ``.npy`` file per array (``name.data.npy`` …) and its shape (``name.shape.npy``)."""
    for part in _PARTS:
        np.save(folder / f"{name}.{part}.npy", getattr(matrix, part))
    np.save(folder / f"{name}.shape.npy", np.array(matrix.shape, dtype=np.int64))


def _load_matrix(folder: Path, name: str, kind: type[sp.csr_matrix] | type[sp.csc_matrix]) -> sp.csr_matrix:
    """Open what ``_save_matrix`` wrote, memory-mapped: only the pages read become resident."""
    data, indices, indptr = (np.load(folder / f"{name}.{part}.npy", mmap_mode="r") for part in _PARTS)
    rows, columns = np.load(folder / f"{name}.shape.npy").tolist()
    return kind((data, indices, indptr), shape=(rows, columns))
