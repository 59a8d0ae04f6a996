"""BM25 over a sparse term-frequency matrix (scipy.sparse), with rows that can be added and removed.

Term frequencies are kept, so an update re-weights the matrix (vectorised, no re-tokenisation) instead of
re-reading the corpus. Scores are divided by the best score the query could reach, giving a number in
[0, 1) that means the same thing across queries: the share of the query's term weight a passage matches.

In a corpus of several languages, a term is only ever found in passages of its own script: counting
its document frequency against all rows would give 的 or 하 a high IDF just because the Korean (or
Chinese) passages lack it. So each term's IDF and each row's length norm are taken within its script
(Han, Hangul, or other), as if each language had its own index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

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


class BM25Field:
    """One BM25-scored field (one tokenizer's terms) over all passages, rows in passage order."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.terms: list[str] = []
        self.vocabulary: dict[str, int] = {}
        self.scripts: list[int] = []  # script_of each term, by column
        self.counts = sp.csr_matrix((0, 0), dtype=np.float32)
        self._weights = sp.csc_matrix((0, 0), dtype=np.float32)
        self._idf = np.zeros(0, dtype=np.float32)
        self._missing_idf = 0.0

    @property
    def rows(self) -> int:
        """Number of passages."""
        return int(self.counts.shape[0])

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        """Append one row per token list (new terms extend the vocabulary)."""
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for tokens in token_lists:
            ids = np.fromiter((self._term_id(t) for t in tokens), dtype=np.int64, count=len(tokens))
            unique, counts = np.unique(ids, return_counts=True)
            indices.append(unique)
            data.append(counts.astype(np.float32))
            indptr.append(indptr[-1] + len(unique))
        width = len(self.terms)
        new = sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.int64),
                np.asarray(indptr),
            ),
            shape=(len(token_lists), width),
        )
        old = self.counts
        old.resize((old.shape[0], width))
        self.counts = sp.vstack([old, new], format="csr", dtype=np.float32)
        self._reweight()

    def remove(self, keep: np.ndarray) -> None:
        """Keep only the rows where the boolean mask is true."""
        self.counts = self.counts[keep]
        self._reweight()

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Normalised BM25 score of every row for a query, in [0, 1)."""
        if not tokens or self.rows == 0:
            return np.zeros(self.rows, dtype=np.float32)
        known: dict[int, int] = {}
        best = 0.0
        for token in tokens:
            column = self.vocabulary.get(token)
            if column is None:
                best += self._missing_idf * (self.k1 + 1)
            else:
                known[column] = known.get(column, 0) + 1
                best += float(self._idf[column]) * (self.k1 + 1)
        if not known or best <= 0:
            return np.zeros(self.rows, dtype=np.float32)
        # Add up the few query columns straight from the CSC arrays: scipy's fancy column indexing costs
        # about a millisecond per call, an order of magnitude more than the sums themselves.
        weights_matrix = self._weights
        indptr, indices, data = weights_matrix.indptr, weights_matrix.indices, weights_matrix.data
        raw = np.zeros(self.rows, dtype=np.float32)
        for column, count in known.items():
            start, end = indptr[column], indptr[column + 1]
            raw[indices[start:end]] += np.float32(count) * data[start:end]
        return raw / np.float32(best)

    def rarity(self, term: str) -> float:
        """How rare a term is among the rows, 0 (in every row) to 1 (in none): its IDF over an unseen term's."""
        column = self.vocabulary.get(term)
        if column is None or self._missing_idf <= 0:
            return 1.0
        return min(float(self._idf[column]) / self._missing_idf, 1.0)

    def save(self, folder: Path, name: str) -> None:
        """Write counts and vocabulary as ``name.npz`` and ``name.terms.json``."""
        sp.save_npz(folder / f"{name}.npz", self.counts, compressed=False)
        (folder / f"{name}.terms.json").write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str, k1: float = 1.2, b: float = 0.75) -> BM25Field:
        """Read what ``save`` wrote."""
        field = cls(k1, b)
        field.terms = json.loads((folder / f"{name}.terms.json").read_text(encoding="utf-8"))
        field.vocabulary = {term: i for i, term in enumerate(field.terms)}
        field.scripts = [script_of(term) for term in field.terms]
        field.counts = sp.load_npz(folder / f"{name}.npz").tocsr().astype(np.float32)
        field._reweight()
        return field

    @classmethod
    def from_counts(cls, counts: sp.spmatrix, like: BM25Field) -> BM25Field:
        """A field over other rows (e.g. per-document sums) sharing ``like``'s vocabulary."""
        field = cls(like.k1, like.b)
        field.terms, field.vocabulary, field.scripts = like.terms, like.vocabulary, like.scripts
        field.counts = sp.csr_matrix(counts, dtype=np.float32)
        field._reweight()
        return field

    def _term_id(self, term: str) -> int:
        column = self.vocabulary.get(term)
        if column is None:
            column = self.vocabulary[term] = len(self.terms)
            self.terms.append(term)
            self.scripts.append(script_of(term))
        return column

    def _reweight(self) -> None:
        counts = self.counts
        rows, width = counts.shape
        script = np.asarray(self.scripts[:width], dtype=np.int64)
        row_of = np.repeat(np.arange(rows), np.diff(counts.indptr))
        tf = counts.data
        # per row and script: how many terms it holds; a row's length and average are those of its main script
        by_script = np.zeros((rows, SCRIPTS), dtype=np.float32)
        np.add.at(by_script, (row_of, script[counts.indices]), tf)
        rows_with = np.maximum((by_script > 0).sum(axis=0), 1).astype(np.float32)
        rows_with[0] = max(rows, 1)  # Latin words and numbers turn up in every language
        frequency = np.bincount(counts.indices, minlength=width).astype(np.float32)
        unseen = np.maximum(rows_with[script] - frequency + 0.5, 0.5)
        self._idf = np.log1p(unseen / (frequency + 0.5)).astype(np.float32)
        self._missing_idf = float(np.log1p((rows + 0.5) / 0.5))
        lengths = by_script.sum(axis=1)
        main = by_script.argmax(axis=1)
        average = np.ones(SCRIPTS, dtype=np.float32)
        for kind in range(SCRIPTS):
            if (main == kind).any():
                average[kind] = max(float(lengths[main == kind].mean()), 1e-9)
        norm = self.k1 * (1 - self.b + self.b * lengths[row_of] / average[main][row_of])
        values = self._idf[counts.indices] * tf * (self.k1 + 1) / (tf + norm)
        self._weights = sp.csr_matrix(
            (values.astype(np.float32), counts.indices, counts.indptr), shape=(rows, width)
        ).tocsc()
