"""The searchable index in memory: passages, keyword fields, vectors, and the documents they came from.

Built from documents, updated one document at a time (only that document is chunked, tokenised and
embedded), saved as a new generation of the index folder, and loaded with a check that it was built
with the settings in force. An update is two steps: ``analyse`` (chunk, tokenise, embed: slow, and
reads nothing an update changes) and ``merge`` (quick), so a live index holds its write lock only
for the second.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..embedding.base import Embedder
from ..errors import IndexMismatchError
from ..records import Document
from ..settings import Settings
from ..text.dictionaries import load_dictionary
from ..text.kiwi import use_default_words, use_multi_words
from .analysis import Analysis, analyse
from .keyword import KeywordIndex
from .manifest import FORMAT_VERSION, Manifest, check_compatible, corpus_checksum
from .passage_table import PassageTable
from .storage import Lease, lease_current, new_generation
from .vectors import VECTOR_INDEXES, VectorIndex

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
BATCH = 256  # documents analysed at a time by ``add_documents``


@dataclass(frozen=True)
class DocumentEntry:
    """What the index remembers of a document (its text lives in its passages)."""

    id: str
    title: str
    source: str
    date: str
    path: str
    checksum: str
    passages: int


class SearchIndex:
    """Passages with a BM25 keyword side and an optional dense side, kept row-aligned."""

    def __init__(self, settings: Settings, embedder: Embedder | None, vectors: VectorIndex | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.field_names = sorted(settings.retrieval.field_weights)
        use_multi_words(settings.dictionary.korean_multi_words)  # before anything of this process asks kiwi
        use_default_words(settings.dictionary.korean_default_words)
        self.keyword = KeywordIndex(self.field_names, load_dictionary(settings.dictionary))
        self.passages = PassageTable()
        self.keys = np.zeros(0, dtype=np.int64)
        self.documents: dict[str, DocumentEntry] = {}
        self.vectors = vectors
        self.next_key = 0
        self.corpus_folder: str | None = None  # where it was built from, as the manifest records it
        self.generation: str | None = None  # the generation it was loaded from or last saved as
        self.dense_enabled = embedder is not None
        # vectors of a build in progress, held until its size is known so the vector index is sized for all of them
        self._pending_keys: list[np.ndarray] = []
        self._pending_vectors: list[np.ndarray] = []

    # --- building and updating -------------------------------------------------------------------

    def add_documents(self, documents: Sequence[Document], progress: Progress | None = None) -> int:
        """Add documents, replacing any with the same id; returns the number of passages added."""
        added = 0
        for start in range(0, len(documents), BATCH):
            chunk = documents[start : start + BATCH]
            added += self._take(self.analyse(chunk))
            if progress:
                progress(len(chunk))
        self._commit()
        return added

    def analyse(self, documents: Sequence[Document]) -> Analysis:
        """Chunk, tokenise and embed documents for ``merge``, reading nothing an update changes: safe to run
        on the served index while another thread writes, and the slow part of an update."""
        return analyse(documents, self.settings.chunking, self.keyword, self.embedder)

    def merge(self, analysis: Analysis) -> int:
        """Take in analysed documents, replacing any with the same ids; returns the passages added.

        Only term ids, keys, vector insertion and BM25 weights are computed here: quick next to ``analyse``.
        """
        added = self._take(analysis)
        self._commit()
        return added

    def _take(self, analysis: Analysis) -> int:
        """``merge`` but for the weighting: a build takes many batches and weights once, in ``_commit``."""
        self._check_analysed_alike(analysis)
        replaced = [d.id for d in analysis.documents if d.id in self.documents]
        if replaced:
            self.remove_documents(replaced)
        passages = list(analysis.passages)
        if passages:
            self.keyword.add_terms(analysis.terms, [p.document_id for p in passages])
            keys = np.arange(self.next_key, self.next_key + len(passages), dtype=np.int64)
            self.next_key += len(passages)
            if self.embedder is not None and analysis.vectors is not None:
                if self.vectors is None:  # a new index: sized in ``_commit``, once all its vectors are known
                    self._pending_keys.append(keys)
                    self._pending_vectors.append(analysis.vectors)
                else:
                    self.vectors.add(keys, analysis.vectors)
            self.passages.extend(passages)
            self.keys = np.concatenate([self.keys, keys])
        for document, count in zip(analysis.documents, analysis.passage_counts, strict=True):
            self.documents[document.id] = DocumentEntry(
                document.id, document.title, document.source, document.date, document.path, document.checksum, count
            )
        return len(passages)

    def _commit(self) -> None:
        """Make the index searchable after ``_take``: the vector index made for its full size, BM25 weighted."""
        if self._pending_keys and self.embedder is not None:
            pending = zip(self._pending_keys, self._pending_vectors, strict=True)
            self._pending_keys, self._pending_vectors = [], []
            self.vectors = self._new_vector_index(self.embedder.dimension, len(self.passages))
            for keys, vectors in pending:
                self.vectors.add(keys, vectors)
        self.passages = self.passages.compacted()
        self.keyword.commit()

    def _check_analysed_alike(self, analysis: Analysis) -> None:
        """Refuse an analysis made with other chunking, keyword fields or embedder than this index's."""
        made_with = (dict(analysis.chunking), sorted(analysis.terms), analysis.embedder)
        mine = (self.settings.chunking.model_dump(), self.field_names, self.embedder.id if self.embedder else None)
        if made_with != mine:
            raise IndexMismatchError(
                f"Documents analysed with {made_with} cannot be merged into an index of {mine}. "
                "Analyse them with this index's settings."
            )

    def remove_documents(self, document_ids: Sequence[str]) -> int:
        """Remove documents by id; returns the number of passages removed. Unknown ids are ignored."""
        doomed = {d for d in document_ids if d in self.documents}
        if not doomed:
            return 0
        keep = ~self.passages.admitted(document_ids=doomed)
        if self.vectors is not None:
            self.vectors.remove(self.keys[~keep])
        if self._pending_keys:
            kept_keys = self.keys[keep]
            pending = [np.isin(keys, kept_keys) for keys in self._pending_keys]
            self._pending_keys = [keys[k] for keys, k in zip(self._pending_keys, pending, strict=True)]
            self._pending_vectors = [v[k] for v, k in zip(self._pending_vectors, pending, strict=True)]
        self.keyword.remove(keep)
        self.passages = self.passages.kept(keep)
        self.keys = self.keys[keep]
        for doc_id in doomed:
            del self.documents[doc_id]
        return int((~keep).sum())

    def _new_vector_index(self, dimension: int, expected: int) -> VectorIndex:
        retrieval = self.settings.retrieval
        backend = VECTOR_INDEXES.load(retrieval.vector_backend)
        return backend.create(dimension, expected, retrieval.vector_index, retrieval.hnsw_above)

    # --- searching ---------------------------------------------------------------------------------

    def keyword_scores(self, query: str) -> np.ndarray:
        """Keyword score of every passage in [0, 1), weighted as the retrieval settings say."""
        retrieval = self.settings.retrieval
        return self.keyword.scores(query, retrieval.field_weights, retrieval.document_weight)

    def keyword_top(
        self, query: str, k: int, extra: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, scores) of the k best keyword matches, best first, and the keyword scores of the ``extra`` rows:
        ``keyword_scores`` restricted to what a search uses, scoring only the passages the query touches."""
        retrieval = self.settings.retrieval
        return self.keyword.top(query, retrieval.field_weights, retrieval.document_weight, k, extra)

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        """Each (normalised, word-level) term's rarity among the passages, 0 in all … 1 in none."""
        return self.keyword.rarity(terms)

    def dense_search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query vector, cosine scores, passage rows) of the k nearest passages."""
        if not self.dense_enabled or self.embedder is None or self.vectors is None or not self.passages:
            return np.zeros(0, np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        vector = self.embedder.embed_queries([query])
        scores, keys = self.vectors.search(vector, k)
        live = keys[0] >= 0
        rows = self.rows_of_keys(keys[0][live])
        return vector[0], scores[0][live], rows

    def rows_of_keys(self, keys: np.ndarray) -> np.ndarray:
        """The passage rows holding these (known) keys: keys only grow along the rows, so a binary search finds
        them, with no map of every key to keep in memory or to rebuild on load."""
        return np.searchsorted(self.keys, keys).astype(np.int64, copy=False)

    # --- describing, saving, loading ---------------------------------------------------------------

    def compatibility(self) -> dict[str, Any]:
        """The settings an index must have been built with to be searched with these ones."""
        expected: dict[str, Any] = {
            "chunking": self.settings.chunking.model_dump(),
            "tokenizers": self.keyword.describe(),
            "embedder": None,
            "dimension": 0,
        }
        if self.embedder is not None:
            info = self.embedder.describe()
            expected.update(
                embedder=self.embedder.id, dimension=info.dimension, prefixes=(info.query_prefix, info.passage_prefix)
            )
        return expected

    def manifest(self) -> Manifest:
        """A manifest describing the index as it is now."""
        languages = self.passages.language_counts()
        return Manifest(
            format_version=FORMAT_VERSION,
            chunking=self.settings.chunking.model_dump(),
            tokenizers=self.keyword.describe(),
            embedder=self.embedder.id if self.embedder else None,
            dimension=self.embedder.dimension if self.embedder else 0,
            vector_index=self.vectors.kind if self.vectors is not None else "none",
            corpus_checksum=corpus_checksum({d.id: d.checksum for d in self.documents.values()}),
            documents=len(self.documents),
            passages=len(self.passages),
            languages=dict(sorted(languages.items())),
            next_key=self.next_key,
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            package_version=__version__,
            embedder_info=asdict(self.embedder.describe()) if self.embedder else {},
            corpus_folder=self.corpus_folder,
        )

    def save(self, root: Path) -> Path:
        """Write the index as a new generation under ``root`` and make it current; returns its folder."""
        with new_generation(root) as folder:
            self.manifest().write(folder)
            self.passages.save(folder)
            entries = [entry.__dict__ for entry in self.documents.values()]
            (folder / "documents.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
            np.save(folder / "keys.npy", self.keys)
            self.keyword.save(folder)
            if self.vectors is not None:
                self.vectors.save(folder)
        self.generation = folder.name.removeprefix(".building-")
        return root / self.generation

    @classmethod
    def load(cls, root: Path, settings: Settings, embedder: Embedder | None, lease: Lease | None = None) -> SearchIndex:
        """Open the current generation (or the leased one), refusing one built with other settings.

        Without a lease, one is held while loading; a given lease is left held (vectors, passages and
        keyword weights are memory-mapped from the generation)."""
        if lease is None:
            with lease_current(root) as held:
                return cls.load(root, settings, embedder, held)
        folder = lease.folder
        manifest = Manifest.read(folder)
        index = cls(settings, embedder)
        check_compatible(manifest, index.compatibility(), root)
        index.passages = PassageTable.load(folder)
        index.documents = {
            e["id"]: DocumentEntry(**e) for e in json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        }
        index.keys = np.load(folder / "keys.npy")
        index.keyword = KeywordIndex.load(folder, index.field_names, index.keyword.dictionary)
        index.next_key = manifest.next_key
        index.corpus_folder = manifest.corpus_folder
        if manifest.embedder is not None and manifest.vector_index != "none":  # none when it has no passages
            backend = VECTOR_INDEXES.load(settings.retrieval.vector_backend)
            index.vectors = backend.load(folder, manifest.dimension, manifest.vector_index)
        index.dense_enabled = embedder is not None
        index.generation = folder.name
        index.keyword.commit()  # weighted now, so the first query is as quick as the rest
        if index.keyword.rows != len(index.passages):
            raise IndexMismatchError(
                f"The index in '{root}' is inconsistent. Rebuild it with: assistant index build --full"
            )
        return index
