"""The keyword side: one BM25 field per tokenizer over passages, and the same fields summed per document.

A passage's score mixes its own match with its document's match (``document_weight``): a question
usually paraphrases one sentence (the passage view) of a document about the right subject (the
document view). Document rows are sums of their passages' term counts, so they cost no extra
tokenisation and follow every update.

A bridge field (its tokenizer a ``BridgeTokenizer``, e.g. ``readings``: a query's terms meet only passages in
the other language) is a lane of its own: a passage scores the better of the other fields' weighted mean and
the bridge's score times its weight (at most 1), and times its share of ``BRIDGE_TERMS`` when the query gives it
fewer terms. Averaged in with fields that cannot see across languages, a match in the other language would be
drowned by any same-language passage on the subject.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..text.dictionaries import UserDictionary
from ..text.questions import mask_query
from ..text.tokenizers import BridgeTokenizer, Tokenizer, create_tokenizer, tokenize_all
from .bm25 import BM25Field

# A bridge match counts in full only when the query gives the bridge this many distinct terms: a question
# whose only word the other language shares (皇后 for "滕皇后是哪里人？") matched every passage naming it.
BRIDGE_TERMS = 4
# ``top`` scores only the passages a query touches while they are at most this share (1/n) of all.
TOUCHED_SHARE = 4
_BY_DOCUMENT = "by_document"  # the saved document fields' name: keyword.<field>.by_document.*


class KeywordIndex:
    """Weighted BM25 fields with a document-level prior; rows follow the passage order."""

    def __init__(self, field_names: Sequence[str], dictionary: UserDictionary | None = None) -> None:
        self.dictionary = dictionary or UserDictionary()
        self.tokenizers: dict[str, Tokenizer] = {name: create_tokenizer(name, dictionary) for name in field_names}
        self.bridges = {name: t for name, t in self.tokenizers.items() if isinstance(t, BridgeTokenizer)}
        self.passage_fields = {name: BM25Field() for name in field_names}
        self._document_fields: dict[str, BM25Field] | None = {name: BM25Field() for name in field_names}
        self.document_ids: list[str] = []
        self._slot: dict[str, int] = {}  # document id → its index in document_ids
        self.document_of_row = np.zeros(0, dtype=np.int64)
        self._lock = threading.Lock()

    @property
    def rows(self) -> int:
        """Number of passages."""
        return len(self.document_of_row)

    def add(self, texts: Sequence[str], document_ids: Sequence[str]) -> None:
        """Append passages (tokenised here, once per field)."""
        self.add_terms(self.tokenize(texts), document_ids)

    def tokenize(self, texts: Sequence[str]) -> dict[str, list[list[str]]]:
        """Each text's terms in every field; reads no state of the index, so it may run beside a write."""
        return tokenize_all(self.tokenizers, texts)

    def add_terms(self, terms: Mapping[str, Sequence[Sequence[str]]], document_ids: Sequence[str]) -> None:
        """Append passages already tokenised by ``tokenize`` (one term list per passage in every field)."""
        if set(terms) != set(self.passage_fields):
            raise ValueError(f"terms for fields {sorted(terms)}, the index has {sorted(self.passage_fields)}")
        for name, field in self.passage_fields.items():
            field.add(terms[name])
        slot = self._slot
        for doc in document_ids:
            if doc not in slot:
                slot[doc] = len(self.document_ids)
                self.document_ids.append(doc)
        rows = np.fromiter((slot[d] for d in document_ids), dtype=np.int64, count=len(document_ids))
        self.document_of_row = np.concatenate([self.document_of_row, rows])
        self._document_fields = None

    def remove(self, keep: np.ndarray) -> None:
        """Keep only the passages where the mask is true."""
        for field in self.passage_fields.values():
            field.remove(keep)
        kept = self.document_of_row[keep]
        live, self.document_of_row = np.unique(kept, return_inverse=True)
        self.document_of_row = self.document_of_row.astype(np.int64)
        # keep first-appearance order of the surviving documents
        self.document_ids = [self.document_ids[i] for i in live]
        self._slot = {doc: i for i, doc in enumerate(self.document_ids)}
        self._document_fields = None

    def commit(self) -> None:
        """Weight what was added or removed now (else it is done at the next query): once per build, not per batch."""
        for field in self.passage_fields.values():
            field.commit()
        for field in self.document_fields.values():
            field.commit()

    @property
    def document_fields(self) -> dict[str, BM25Field]:
        """The passage fields summed per document (rows in ``document_ids`` order), made when first needed."""
        fields = self._document_fields
        if fields is None:
            with self._lock:
                if self._document_fields is None:
                    self._document_fields = self._sum_documents()
                fields = self._document_fields
        return fields

    def scores(self, query: str, weights: Mapping[str, float], document_weight: float) -> np.ndarray:
        """Score of every passage in [0, 1): weighted field scores, mixed with the document's; bridges as lanes.

        Question and function words are blanked out of the query first (see ``text.questions``).
        """
        if not self.rows:
            return np.zeros(0, dtype=np.float32)
        return self._combine(self._query_terms(query, weights), weights, document_weight, None)

    def top(
        self, query: str, weights: Mapping[str, float], document_weight: float, k: int, extra: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, scores) of the k best non-zero ``scores``, best first (ties by row, the lowest kept), and the
        scores of the ``extra`` rows (e.g. the dense side's candidates).

        When the query's terms touch few passages (their postings, and the passages of the documents holding
        them), only those are scored, with the same values ``scores`` gives; else every passage is.
        """
        extra = np.zeros(0, dtype=np.int64) if extra is None else np.asarray(extra, dtype=np.int64)
        if not self.rows or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(len(extra), np.float32)
        terms = self._query_terms(query, weights)
        rows = self._touched(terms, document_weight, extra)
        scores = self._combine(terms, weights, document_weight, rows, _slots(rows, self.rows))
        every = np.arange(self.rows) if rows is None else rows
        found = np.flatnonzero(scores > 0)
        if len(found) > k:  # the k-th best score and all its equals, of which the lowest rows are kept below
            candidates = scores[found]
            found = found[candidates >= np.partition(candidates, len(found) - k)[len(found) - k]]
        found = found[np.lexsort((every[found], -scores[found]))[:k]]
        extra_scores = scores[extra if rows is None else np.searchsorted(rows, extra)]
        return every[found], scores[found], extra_scores

    def _query_terms(self, query: str, weights: Mapping[str, float]) -> dict[str, list[str]]:
        """The query's terms in each weighted field (bridges by their query tokenizer)."""
        query = mask_query(query)
        plain = {
            name: t for name, t in self.tokenizers.items() if weights.get(name, 0.0) > 0 and name not in self.bridges
        }
        terms = {name: found[0] for name, found in tokenize_all(plain, [query]).items()}
        for name, bridge in self.bridges.items():
            if weights.get(name, 0.0) > 0:
                terms[name] = bridge.tokenize_queries([query])[0]
        return terms

    def _touched(
        self, query_terms: Mapping[str, Sequence[str]], document_weight: float, extra: np.ndarray
    ) -> np.ndarray | None:
        """Sorted rows the query can score above zero, with ``extra``; None when they are too many to be worth it.

        Marked in one boolean per passage (and per document), not sorted out of the postings: a common term's
        postings are long, a mask is N bytes."""
        touched = np.zeros(self.rows, dtype=bool)
        touched[extra] = True
        documents = np.zeros(len(self.document_ids), dtype=bool)
        for name, terms in query_terms.items():
            if document_weight > 0:  # a document holds its passages' terms, so its rows cover their postings
                document_field = self.document_fields[name]
                for rows in document_field.touched(document_field.query_columns(terms)[0]):
                    documents[rows] = True
            else:
                passage_field = self.passage_fields[name]
                for rows in passage_field.touched(passage_field.query_columns(terms)[0]):
                    touched[rows] = True
        if documents.any():
            touched |= documents[self.document_of_row]
        found = np.flatnonzero(touched)
        return found if len(found) <= self.rows // TOUCHED_SHARE else None

    def _combine(
        self,
        query_terms: Mapping[str, Sequence[str]],
        weights: Mapping[str, float],
        document_weight: float,
        rows: np.ndarray | None,
        slots: np.ndarray | None = None,
    ) -> np.ndarray:
        """Weighted field scores of every row (or of ``rows``, ``slots`` giving each one's place), bridges as lanes;
        see ``scores``."""
        size = self.rows if rows is None else len(rows)
        total = np.zeros(size, dtype=np.float32)
        across = np.zeros(size, dtype=np.float32)
        weight_sum = 0.0
        for name in self.passage_fields:
            weight = weights.get(name, 0.0)
            if weight <= 0:
                continue
            terms = query_terms[name]
            if name in self.bridges:
                if terms:
                    trust = min(1.0, len(set(terms)) / BRIDGE_TERMS)
                    lane = self._field_scores(name, terms, document_weight, rows, slots) * np.float32(
                        trust / (1 + document_weight)
                    )
                    across = np.maximum(across, np.float32(min(weight, 1.0)) * lane)
                continue
            if not terms:  # a field the query has nothing for (Han characters of a Korean query) does not dilute
                continue
            total += weight * self._field_scores(name, terms, document_weight, rows, slots)
            weight_sum += weight
        return np.maximum(total / np.float32(max(weight_sum * (1 + document_weight), 1e-9)), across)

    def _field_scores(
        self,
        name: str,
        terms: Sequence[str],
        document_weight: float,
        rows: np.ndarray | None = None,
        slots: np.ndarray | None = None,
    ) -> np.ndarray:
        """One field's passage scores plus ``document_weight`` times their documents' scores (of ``rows`` only)."""
        scores = self.passage_fields[name].scores(terms, rows, slots)
        if document_weight > 0:
            documents = self.document_of_row if rows is None else self.document_of_row[rows]
            scores = scores + document_weight * self.document_fields[name].scores(terms)[documents]
        return scores

    def rarity(self, terms: Sequence[str], field: str = "morphemes") -> dict[str, float]:
        """Each term's rarity among the passages in one field (0 everywhere … 1 nowhere); 1 without that field."""
        found = self.passage_fields.get(field)
        return {term: found.rarity(term) if found is not None else 1.0 for term in terms}

    def describe(self) -> dict[str, dict[str, str]]:
        """Tokenizer descriptions per field (for the manifest)."""
        return {name: tokenizer.describe() for name, tokenizer in self.tokenizers.items()}

    def save(self, folder: Path) -> None:
        """Write passage fields, the weights of the document fields (their counts are derived again when the
        index changes) and the document mapping."""
        for name, field in self.passage_fields.items():
            field.save(folder, f"keyword.{name}")
            self.document_fields[name].save(folder, f"keyword.{name}.{_BY_DOCUMENT}", counts=False)
        np.save(folder / "keyword.document_of_row.npy", self.document_of_row)
        (folder / "keyword.documents.json").write_text(json.dumps(self.document_ids, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path, field_names: Sequence[str], dictionary: UserDictionary | None = None) -> KeywordIndex:
        """Open what ``save`` wrote, weighted as saved and memory-mapped (the generation must stay leased)."""
        index = cls(field_names, dictionary)
        index.passage_fields = {name: BM25Field.load(folder, f"keyword.{name}") for name in field_names}
        index._document_fields = {
            name: BM25Field.load(folder, f"keyword.{name}.{_BY_DOCUMENT}", like=field)
            for name, field in index.passage_fields.items()
        }
        index.document_of_row = np.load(folder / "keyword.document_of_row.npy")
        index.document_ids = json.loads((folder / "keyword.documents.json").read_text("utf-8"))
        index._slot = {doc: i for i, doc in enumerate(index.document_ids)}
        return index

    def _sum_documents(self) -> dict[str, BM25Field]:
        rows = self.rows
        membership = sp.csr_matrix(
            (np.ones(rows, dtype=np.float32), (self.document_of_row, np.arange(rows))),
            shape=(len(self.document_ids), rows),
        )
        return {
            name: BM25Field.from_counts(membership @ field.counts, field) for name, field in self.passage_fields.items()
        }


def _slots(rows: np.ndarray | None, count: int) -> np.ndarray | None:
    """Each of ``count`` rows' place in the sorted ``rows`` (meaningful for those rows only)."""
    if rows is None:
        return None
    slots = np.zeros(count, dtype=np.int64)
    slots[rows] = np.arange(len(rows))
    return slots
