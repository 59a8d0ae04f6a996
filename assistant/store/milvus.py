"""The ``milvus`` search store: one Milvus 2.5+ collection per index, searched with ``hybrid_search``.

The index is searched through the aliases ``<name>`` and ``<name>_meta``, which point at the collections of its
latest full build (``milvus_collections``: a full rebuild is written aside and published whole).

    <name>        one row per passage: key (primary: a hash of passage id @ write token), passage_id, document_id
                  (INVERTED, for replace and delete), token, language, title, section, source, start, end,
                  text, bm25 (row shapes), dense (HNSW, inner product), sparse (SPARSE_INVERTED_INDEX, IP)
    <name>_meta   kind 'manifest' (the index identity, checked on open like the local manifest), 'stats'
                  (counts and BM25 row statistics), 'doc' (one per document), 'term' (id and frequencies)

The sparse vector holds BM25 weights computed by our analysers (``sparse_bm25``: kiwi morphemes, jieba,
bigrams…), IDF and field weights go in the query vector. A write (replace) inserts the new passages under a
fresh token, then updates the statistics and document rows, and only then deletes the document's rows with
another token: a write that fails before the end leaves the previous version searchable (its own new rows are
removed again), and repeating it gives the same end state. Writers must be serialised (one process writing, as
``LiveIndex`` and ``index build`` do); readers may be anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from .. import __version__
from ..embedding.base import Embedder
from ..errors import IndexNotFoundError, MissingDependencyError, StoreUnavailableError
from ..indexing.analysis import Analysis
from ..indexing.manifest import FORMAT_VERSION, Manifest, check_compatible, corpus_checksum
from ..indexing.search_index import DocumentEntry, SearchIndex
from ..records import Document, Hit, Passage
from ..settings import RetrievalSettings, Settings
from ..text.questions import mask_query
from . import milvus_search as search
from . import sparse_bm25 as bm25
from .base import Filters, StoreStats
from .milvus_collections import Build, alias_target, collection_name, drop_index, meta_name, publish
from .milvus_meta import IN, MetaRows, create_passages, in_list, row_key, scan, term_ids

log = logging.getLogger(__name__)

_WRITTEN = ["key", "document_id", "token", "language", "bm25", "sparse"]  # what a rewrite reads of the old rows


# pymilvus pings every 10 s even idle; milvus-lite's gRPC server (default settings) answers with GOAWAY "too_many_pings"
# after a minute or so of analysis between writes, failing a call in flight. No pings idle, one a minute in a call.
KEEPALIVE = {"grpc.keepalive_time_ms": 60_000, "grpc.keepalive_permit_without_calls": False}


def _milvus() -> Any:
    try:
        import pymilvus
    except ModuleNotFoundError as error:
        raise MissingDependencyError("pymilvus", "milvus", "The 'milvus' search store") from error
    return pymilvus


class MilvusStore:
    """The ``SearchStore`` over a Milvus collection; its BM25 statistics live in a side collection."""

    def __init__(
        self, settings: Settings, embedder: Embedder | None, client: Any, index: str, aside: Build | None = None
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = client
        self.index = index  # the aliases readers search by
        self.aside = aside  # a build not published yet: written and searched here only
        self.name = aside.passages if aside else index  # the passages collection (or alias) this store uses
        self.meta = MetaRows(client, aside.meta if aside else meta_name(index))
        self.shape = SearchIndex(settings, embedder)  # this store's tokenizers, chunking and compatibility
        self.fields = self.shape.field_names

    @classmethod
    def open(
        cls, settings: Settings, embedder: Embedder | None, *, create: bool = False, fresh: bool = False,
        check: bool = True,
    ) -> MilvusStore:  # fmt: skip
        """Connect and check the index's identity (unless ``check`` is false: to describe it). ``create``: make an
        empty index when there is none; ``fresh``: build a new one aside, searched by others only once
        ``publish``ed (``milvus_collections``)."""
        pymilvus = _milvus()
        token = settings.store.token.get_secret_value() if settings.store.token else ""
        try:
            client = pymilvus.MilvusClient(uri=settings.store.uri, token=token, timeout=10, grpc_options=KEEPALIVE)
        except Exception as error:  # pymilvus raises MilvusException or grpc errors on connect
            raise StoreUnavailableError(
                f"Cannot reach Milvus at {settings.store.uri} ({error}). Start it, or set ASSISTANT_STORE__URI."
            ) from error
        index = collection_name(settings)
        if fresh or (create and not client.has_collection(index)):
            store = cls(settings, embedder, client, index, Build.new(index))
            store._create()
            if not fresh:
                store.publish()  # a new empty index, searchable at once
            return store
        store = cls(settings, embedder, client, index)
        if not client.has_collection(index):
            raise IndexNotFoundError(
                f"No index in the Milvus collection '{index}' at {settings.store.uri}. Build one with: "
                "ASSISTANT_STORE__BACKEND=milvus assistant index build --corpus CORPUS"
            )
        identity = store.meta.row("manifest")
        if identity is not None and check:
            check_compatible(Manifest(**identity), store.shape.compatibility(), f"milvus:{index}")  # type: ignore[arg-type]
        return store

    # --- collections --------------------------------------------------------------------------------

    def _create(self) -> None:
        pymilvus = _milvus()
        create_passages(self.client, pymilvus, self.name, self.embedder.dimension if self.embedder else None)
        self.meta.create(pymilvus)
        self.meta.put([("manifest", "manifest", -1, asdict(self._manifest(StoreStats(0, 0), "")))])
        empty = {"passages": 0, "languages": Counter(), "next_id": 0, "collection": self.name}  # the build's own name
        self.meta.save(bm25.CorpusStats.empty(self.fields), empty, {}, [], gone=[])

    def publish(self) -> None:
        """Make the index built aside the one every reader searches, and drop the previous one."""
        if self.aside is None:
            return
        publish(self.client, self.index, self.aside)
        self.name, self.meta, self.aside = self.index, MetaRows(self.client, meta_name(self.index)), None

    def discard(self) -> None:
        """Drop the index built aside; the previous one keeps serving."""
        if self.aside is None:
            return
        for collection in (self.aside.passages, self.aside.meta):
            if self.client.has_collection(collection):
                self.client.drop_collection(collection)
        self.name, self.meta, self.aside = self.index, MetaRows(self.client, meta_name(self.index)), None

    def drop(self) -> None:
        """Remove the index: its aliases and every collection built for it."""
        drop_index(self.client, self.index)
        self.aside = None

    @property
    def dense_enabled(self) -> bool:
        return self.embedder is not None

    # --- writing ------------------------------------------------------------------------------------

    @property
    def generation(self) -> str | None:
        return None  # searched in place: every worker sees a write as soon as Milvus has it

    def refresh(self) -> bool:
        return False

    def analyse(self, documents: Sequence[Document]) -> Analysis:
        return self.shape.analyse(documents)

    def replace(self, analysis: Analysis) -> int:
        self.shape._check_analysed_alike(analysis)
        ids = [d.id for d in analysis.documents]
        token = uuid.uuid4().hex[:12]
        stats, counts = self.meta.stats(self.fields)
        old = self._rows_of(ids)
        wanted = {(f, t) for f in self.fields for terms in analysis.terms[f] for t in terms}
        known = self.meta.terms(wanted, term_ids(old), counts)
        self._count_out(old, stats, counts, known)
        rows, documents = self._rows(analysis, token, stats, counts, known)
        try:
            for start in range(0, len(rows), 256):
                self.client.insert(self.name, rows[start : start + 256])
            self.meta.save(stats, counts, known, documents, gone=[])
        except Exception:
            self.client.delete(self.name, filter=f"token == {json.dumps(token)}")
            raise
        for start in range(0, len(ids), IN):
            chunk = in_list(ids[start : start + IN])
            self.client.delete(self.name, filter=f"document_id in {chunk} and token != {json.dumps(token)}")
        return len(rows)

    def delete(self, document_ids: Sequence[str]) -> int:
        ids = list(document_ids)
        old = self._rows_of(ids)
        if not old:
            return 0
        stats, counts = self.meta.stats(self.fields)
        known = self.meta.terms(set(), term_ids(old), counts)
        self._count_out(old, stats, counts, known)
        for start in range(0, len(ids), IN):
            self.client.delete(self.name, filter=f"document_id in {in_list(ids[start : start + IN])}")
        self.meta.save(stats, counts, known, [], gone=sorted({row["document_id"] for row in old}))
        return len(old)

    def _rows(
        self, analysis: Analysis, token: str, stats: bm25.CorpusStats, counts: dict[str, Any], known: dict[Any, Any]
    ) -> tuple[list[dict[str, Any]], list[tuple[DocumentEntry, dict[str, Any]]]]:
        """The passage rows and document entries of an analysis, counted into the statistics."""
        per_passage = [{f: Counter(analysis.terms[f][i]) for f in self.fields} for i in range(len(analysis.passages))]
        per_document: dict[str, dict[str, Counter[str]]] = {}
        for passage, terms in zip(analysis.passages, per_passage, strict=True):
            doc = per_document.setdefault(passage.document_id, {f: Counter() for f in self.fields})
            for f in self.fields:
                doc[f].update(terms[f])
        shapes = [{f: bm25.row_shape(terms[f]) for f in self.fields} for terms in per_passage]
        doc_shapes = {d: {f: bm25.row_shape(terms[f]) for f in self.fields} for d, terms in per_document.items()}
        for level, groups, level_shapes in (
            ("p", per_passage, shapes),
            ("d", list(per_document.values()), list(doc_shapes.values())),
        ):
            for terms, shape in zip(groups, level_shapes, strict=True):
                for f in self.fields:
                    stats.levels[f][level].count(shape[f], 1)
                    for term in terms[f]:
                        entry = known[(f, term)]
                        entry[level] += 1
        doc_vectors = {d: self._weights(per_document[d], doc_shapes[d], stats, known, "d") for d in per_document}
        rows = []
        for i, passage in enumerate(analysis.passages):
            sparse = self._weights(per_passage[i], shapes[i], stats, known, "p") | doc_vectors[passage.document_id]
            row = {
                "key": row_key(f"{passage.id}@{token}"), "passage_id": passage.id, "document_id": passage.document_id,
                "token": token, "language": passage.language.value, "title": passage.title,
                "section": passage.section, "source": passage.source, "text": passage.text, "start": passage.start,
                "end": passage.end, "bm25": {f: shapes[i][f].to_list() for f in self.fields},
                "sparse": sparse or {0: 0.0},
            }  # fmt: skip
            if self.embedder is not None and analysis.vectors is not None:
                row["dense"] = analysis.vectors[i].astype(np.float32).tolist()
            rows.append(row)
        counts["passages"] += len(rows)
        counts["languages"].update(p.language.value for p in analysis.passages)
        documents = []
        for document, count in zip(analysis.documents, analysis.passage_counts, strict=True):
            entry = DocumentEntry(
                document.id, document.title, document.source, document.date, document.path, document.checksum, count
            )
            listed = {f: s.to_list() for f, s in doc_shapes.get(document.id, {}).items()}
            documents.append((entry, {"shape": listed, "token": token}))
        return rows, documents

    def _weights(
        self, terms: dict[str, Counter[str]], shapes: dict[str, bm25.RowShape], stats: bm25.CorpusStats,
        known: dict[Any, Any], level: str,
    ) -> dict[int, float]:  # fmt: skip
        vector: dict[int, float] = {}
        for f in self.fields:
            for term, weight in bm25.saturated(terms[f], shapes[f], stats.levels[f][level]).items():
                vector[bm25.dimension(known[(f, term)]["id"], level)] = weight
        return vector

    def _count_out(
        self, old: list[dict[str, Any]], stats: bm25.CorpusStats, counts: dict[str, Any], known: dict[Any, Any]
    ) -> None:
        """Take rows about to be replaced or deleted (and their documents) out of the statistics."""
        by_id = {entry["id"]: key for key, entry in known.items()}
        documents = self.meta.documents_of(sorted({row["document_id"] for row in old}))
        # only the rows of each document's recorded write count: rows a failed delete left are not in the statistics
        old = [row for row in old if documents.get(row["document_id"], {}).get("token", row["token"]) == row["token"]]
        for row in old:
            for f in self.fields:
                stats.levels[f]["p"].count(bm25.RowShape(*row["bm25"][f]), -1)
            for dim, value in row["sparse"].items():
                key = by_id.get(int(dim) // 2)
                if key is not None and int(dim) % 2 == 0 and value > 0:
                    known[key]["p"] -= 1
            counts["passages"] -= 1
            counts["languages"][row["language"]] -= 1
        seen = set()
        for row in old:  # one row per document carries its document-level terms
            doc = row["document_id"]
            if doc in seen:
                continue
            seen.add(doc)
            for dim, value in row["sparse"].items():
                key = by_id.get(int(dim) // 2)
                if key is not None and int(dim) % 2 == 1 and value > 0:
                    known[key]["d"] -= 1
            shape = documents.get(doc, {}).get("shape", {})
            for f in self.fields:
                if f in shape:
                    stats.levels[f]["d"].count(bm25.RowShape(*shape[f]), -1)

    def _rows_of(self, document_ids: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(document_ids), IN):
            expression = f"document_id in {in_list(document_ids[start : start + IN])}"
            rows += scan(self.client, self.name, expression, _WRITTEN)
        return rows

    # --- searching ----------------------------------------------------------------------------------

    def keyword_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        where = search.expression(filters)
        return self._on_one_build(query, lambda name, terms: search.keyword_hits(self.client, name, terms, k, where))

    def dense_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        if self.embedder is None or k <= 0:
            return []
        vector = self.embedder.embed_queries([query])[0]
        return search.dense_hits(self.client, self.name, vector, k, search.expression(filters))

    def hybrid_search(
        self, query: str, candidates: int, fusion: RetrievalSettings, filters: Filters | None = None
    ) -> list[Hit]:
        """Candidates from both sides (``milvus_search.hybrid_hits``), each with both its scores."""
        vector = self.embedder.embed_queries([query])[0] if self.embedder is not None else None
        where = search.expression(filters)
        return self._on_one_build(
            query,
            lambda name, keyword: search.hybrid_hits(
                _milvus(), self.client, name, keyword, vector, candidates, fusion, where
            ),
        )

    def keyword_query(self, query: str) -> bm25.KeywordQuery:
        """The query's sparse BM25 vectors (IDF and field weights in them): our per-query work on the keyword side."""
        return self._keyword_query(query, *self._pinned())[1]

    def _on_one_build(self, query: str, run: Callable[[str, bm25.KeywordQuery], list[Hit]]) -> list[Hit]:
        """``run`` on the passages collection of the build whose statistics made the query. A rebuild published
        between reading them and searching has dropped that build: then read again, once."""
        for attempt in (1, 2):
            name, meta, stats = self._pinned()
            try:
                return run(*self._keyword_query(query, name, meta, stats))
            except Exception:
                if attempt == 2 or name == self.name or self.client.has_collection(name):
                    raise
                log.info("the Milvus build %s was replaced during a query; searching the new one", name)
        raise AssertionError("unreachable")

    def _pinned(self) -> tuple[str, MetaRows, bm25.CorpusStats]:
        """One build for a query: its passages collection, its side collection and its statistics. The statistics
        row names its build's collection, so a query read while a rebuild's two aliases switch never weighs the
        new build's statistics (and term ids) against the old one's rows (an index written before the row named
        it is searched through the aliases, as before)."""
        stats, counts = self.meta.stats(self.fields)
        collection = counts["collection"]
        if self.aside is not None or not collection:
            return self.name, self.meta, stats
        return collection, MetaRows(self.client, meta_name(collection)), stats

    def _keyword_query(
        self, query: str, name: str, meta: MetaRows, stats: bm25.CorpusStats
    ) -> tuple[str, bm25.KeywordQuery]:
        retrieval = self.settings.retrieval
        masked = mask_query(query)
        bridges = self.shape.keyword.bridges
        terms = {}
        for field in self.fields:
            if retrieval.field_weights.get(field, 0.0) > 0:
                tokenizer = self.shape.keyword.tokenizers[field]
                tokenize = bridges[field].tokenize_queries if field in bridges else tokenizer.tokenize
                terms[field] = tokenize([masked])[0]
        wanted = {(f, t) for f, found in terms.items() for t in found}
        if not wanted:
            return name, bm25.KeywordQuery(terms, {})
        known = {key: bm25.TermStats(e["id"], e["p"], e["d"]) for key, e in meta.terms(wanted, set(), None).items()}
        return name, bm25.keyword_query(
            terms, retrieval.field_weights, retrieval.document_weight, stats, known, bridges=set(bridges)
        )

    # --- describing ---------------------------------------------------------------------------------

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        ids = list(dict.fromkeys(passage_ids))
        found: dict[str, Passage] = {}
        for start in range(0, len(ids), IN):
            for row in scan(
                self.client, self.name, f"passage_id in {in_list(ids[start : start + IN])}", search.PASSAGE_FIELDS
            ):
                found[row["passage_id"]] = search.passage(row)
        return [found[i] for i in passage_ids if i in found]

    def documents(self) -> list[DocumentEntry]:
        return self.meta.documents()

    def stats(self) -> StoreStats:
        _, counts = self.meta.stats(self.fields)
        languages = {k: v for k, v in sorted(counts["languages"].items()) if v > 0}
        return StoreStats(counts["passages"], self.meta.document_count(), languages)

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        if "morphemes" not in self.fields:
            return dict.fromkeys(terms, 1.0)
        _, meta, stats = self._pinned()
        known = meta.terms({("morphemes", t) for t in terms}, set(), None)
        level = stats.levels["morphemes"]["p"]
        return {
            t: bm25.rarity(
                t, bm25.TermStats(e["id"], e["p"], e["d"]) if (e := known.get(("morphemes", t))) else None, level
            )
            for t in terms
        }

    def manifest(self) -> Manifest:
        checksum = corpus_checksum({entry.id: entry.checksum for entry in self.documents()})
        return self._manifest(self.stats(), checksum)

    def built(self) -> Manifest:
        """The identity the index was built with (as stored, whatever this store's settings) and its counts now."""
        identity = self.meta.row("manifest")
        if identity is None:
            return self.manifest()
        stats = self.stats()
        checksum = corpus_checksum({entry.id: entry.checksum for entry in self.documents()})
        return replace(
            Manifest(**identity), documents=stats.documents, passages=stats.passages, languages=stats.languages,
            corpus_checksum=checksum,
        )  # fmt: skip

    def location(self) -> str:
        """Where the index lives: the server, the alias searched and the collection behind it."""
        behind = alias_target(self.client, self.index)
        where = f"{self.index} → {behind}" if behind else self.index
        return f"milvus {self.settings.store.uri} · {where}"

    def _manifest(self, stats: StoreStats, checksum: str) -> Manifest:
        embedder = self.embedder
        return Manifest(
            format_version=FORMAT_VERSION, chunking=self.settings.chunking.model_dump(),
            tokenizers=self.shape.keyword.describe(), embedder=embedder.id if embedder else None,
            dimension=embedder.dimension if embedder else 0, vector_index="milvus-hnsw", corpus_checksum=checksum,
            documents=stats.documents, passages=stats.passages, languages=stats.languages, next_key=0,
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), package_version=__version__,
            embedder_info=asdict(embedder.describe()) if embedder else {},
        )  # fmt: skip

    def close(self) -> None:
        self.client.close()
