"""The collections of a Milvus index: the passages' schema, and the side collection holding what the passages
collection cannot say about itself.

One row per name (its primary key a 64-bit hash of the name, so no text of ours is ever spliced into an
expression: pymilvus quotes string ids without escaping them), its ``kind`` saying what it holds:

    manifest        the index identity (chunking, tokenizers, embedder), checked on open like the local manifest
    stats           passage and language counts, the next term id, the BM25 row statistics (``sparse_bm25``) and
                    the passages collection they describe (``collection``: queries search the build they read)
    doc:<id>        a document's entry (title, source, checksum, passages) and its document-level row shapes
    <field>:<term>  a term's id (its sparse dimension) and document frequencies among passages and documents
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import StoreUnavailableError
from ..indexing.search_index import DocumentEntry
from . import sparse_bm25 as bm25

IN = 500  # ids per `in [...]` expression or get
_SCAN = 1_000  # rows per query_iterator batch
_INDEXED_WITHIN = 120.0  # seconds a new (empty) collection's indexes may take to be built

Terms = dict[tuple[str, str], dict[str, int]]  # (field, term) → {'id', 'p', 'd'}


def scan(client: Any, collection: str, expression: str, fields: list[str]) -> Iterator[dict[str, Any]]:
    """Every row matching an expression, batch by batch (no 16,384-row limit)."""
    iterator = client.query_iterator(collection, batch_size=_SCAN, filter=expression, output_fields=fields)
    try:
        while batch := iterator.next():
            yield from batch
    finally:
        iterator.close()


def in_list(values: Iterable[str | int]) -> str:
    """A list literal for a Milvus ``in`` expression."""
    return json.dumps(list(values), ensure_ascii=False)


def create_indexed(client: Any, name: str, schema: Any, index: Any) -> None:
    """Make a collection with its indexes, and load it.

    Not ``create_collection(index_params=...)``: pymilvus sleeps half a second before each index's first state
    check, 4 s for an index's two collections, when the indexes of an empty collection are built at once."""
    client.create_collection(name, schema=schema, consistency_level="Strong")
    client.create_index(name, index, sync=False)
    deadline = time.monotonic() + _INDEXED_WITHIN
    for made in client.list_indexes(name):
        while (described := client.describe_index(name, made)).get("state") != "Finished":
            if described.get("state") == "Failed" or time.monotonic() > deadline:
                reason = described.get("index_state_fail_reason") or f"not built within {_INDEXED_WITHIN:.0f} s"
                raise StoreUnavailableError(f"Milvus could not index {name}.{made}: {reason}")
            time.sleep(0.02)
    client.load_collection(name)


def create_passages(client: Any, pymilvus: Any, name: str, dimension: int | None) -> None:
    """Make the passages collection (``dimension``: of the dense vectors; ``None`` for none)."""
    types = pymilvus.DataType
    schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", types.INT64, is_primary=True)  # row_key(passage id @ write token)
    for field in ("passage_id", "document_id"):
        schema.add_field(field, types.VARCHAR, max_length=512)
    schema.add_field("token", types.VARCHAR, max_length=32)
    schema.add_field("language", types.VARCHAR, max_length=16)
    for field in ("title", "section", "source"):
        schema.add_field(field, types.VARCHAR, max_length=8_192)
    schema.add_field("text", types.VARCHAR, max_length=65_535)
    schema.add_field("start", types.INT64)
    schema.add_field("end", types.INT64)
    schema.add_field("bm25", types.JSON)
    if dimension is not None:
        schema.add_field("dense", types.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", types.SPARSE_FLOAT_VECTOR)
    index = client.prepare_index_params()
    if dimension is not None:
        index.add_index("dense", index_type="HNSW", metric_type="IP", params={"M": 16, "efConstruction": 200})
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    for field in ("document_id", "passage_id", "language"):
        index.add_index(field, index_type="INVERTED")
    create_indexed(client, name, schema, index)


class MetaRows:
    """Reads and writes the side collection ``name``."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def create(self, pymilvus: Any) -> None:
        """Make the collection (it needs a vector field, as every Milvus collection does: a dummy one)."""
        types = pymilvus.DataType
        schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", types.INT64, is_primary=True)
        schema.add_field("name", types.VARCHAR, max_length=4_096)
        schema.add_field("kind", types.VARCHAR, max_length=16)
        schema.add_field("tid", types.INT64)
        schema.add_field("data", types.JSON)
        schema.add_field("v", types.FLOAT_VECTOR, dim=2)
        index = self.client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        index.add_index("kind", index_type="INVERTED")
        index.add_index("tid", index_type="INVERTED")
        create_indexed(self.client, self.name, schema, index)

    def row(self, key: str) -> dict[str, Any] | None:
        """The data of one row."""
        found = self.client.get(self.name, ids=[row_key(key)], output_fields=["data"])
        return dict(found[0]["data"]) if found else None

    def put(self, rows: Sequence[tuple[str, str, int, dict[str, Any]]]) -> None:
        """Upsert (name, kind, term id, data) rows."""
        data = [
            {"key": row_key(name), "name": name, "kind": kind, "tid": tid, "data": value, "v": [0.0, 0.0]}
            for name, kind, tid, value in rows
        ]
        for start in range(0, len(data), 1_000):
            self.client.upsert(self.name, data[start : start + 1_000])

    def stats(self, fields: Sequence[str]) -> tuple[bm25.CorpusStats, dict[str, Any]]:
        """The BM25 row statistics and the counts (passages, languages, next term id, and the passages collection
        they describe: None in an index written before it was recorded)."""
        data = self.row("stats")
        if data is None:
            counts = {"passages": 0, "languages": Counter(), "next_id": 0, "collection": None}
            return bm25.CorpusStats.empty(fields), counts
        counts = {
            "passages": data["passages"], "languages": Counter(data["languages"]), "next_id": data["next_id"],
            "collection": data.get("collection"),
        }  # fmt: skip
        return bm25.CorpusStats.from_dict(data["levels"]), counts

    def terms(self, wanted: set[tuple[str, str]], ids: set[int], counts: dict[str, Any] | None) -> Terms:
        """Id and frequencies of the terms wanted (by field and term) and of the term ids given; with ``counts``,
        wanted terms not known yet get new ids (kept when the statistics are saved)."""
        keys = sorted(f"{f}:{t}" for f, t in wanted)
        found: Terms = {}
        for start in range(0, len(keys), IN):
            chunk = [row_key(key) for key in keys[start : start + IN]]
            for row in self.client.get(self.name, ids=chunk, output_fields=["name", "data"]):
                found[_term_key(row["name"])] = dict(row["data"])
        missing = sorted(ids - {entry["id"] for entry in found.values()})
        for start in range(0, len(missing), IN):
            expression = f'kind == "term" and tid in {in_list(missing[start : start + IN])}'
            for row in scan(self.client, self.name, expression, ["name", "data"]):
                found[_term_key(row["name"])] = dict(row["data"])
        if counts is not None:
            for key in sorted(wanted - set(found)):
                found[key] = {"id": counts["next_id"], "p": 0, "d": 0}
                counts["next_id"] += 1
        return found

    def save(
        self, stats: bm25.CorpusStats, counts: dict[str, Any], known: Terms,
        documents: Sequence[tuple[DocumentEntry, dict[str, Any]]], gone: Sequence[str],
    ) -> None:  # fmt: skip
        """Write the terms, the documents written (each entry with its extra data: row shapes, write token) and the
        statistics; remove the documents gone."""
        rows: list[tuple[str, str, int, dict[str, Any]]] = [
            (f"{f}:{t}", "term", e["id"], e) for (f, t), e in known.items()
        ]
        rows += [(f"doc:{entry.id}", "doc", -1, {**entry.__dict__, **extra}) for entry, extra in documents]
        languages = {k: v for k, v in counts["languages"].items() if v > 0}
        rows.append(("stats", "stats", -1, {
            "passages": counts["passages"], "languages": languages, "next_id": counts["next_id"],
            "levels": stats.to_dict(), "collection": counts.get("collection"),
        }))  # fmt: skip
        self.put(rows)
        for start in range(0, len(gone), IN):
            self.client.delete(self.name, ids=[row_key(f"doc:{d}") for d in gone[start : start + IN]])

    def documents_of(self, document_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of these documents, by id."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(document_ids), IN):
            keys = [row_key(f"doc:{d}") for d in document_ids[start : start + IN]]
            for row in self.client.get(self.name, ids=keys, output_fields=["name", "data"]):
                found[row["name"][4:]] = dict(row["data"])
        return found

    def documents(self) -> list[DocumentEntry]:
        """Every document entry, by id."""
        names = DocumentEntry.__dataclass_fields__
        entries = [
            DocumentEntry(**{k: v for k, v in row["data"].items() if k in names})
            for row in scan(self.client, self.name, 'kind == "doc"', ["data"])
        ]
        return sorted(entries, key=lambda entry: entry.id)

    def document_count(self) -> int:
        """How many documents there are."""
        found = self.client.query(self.name, filter='kind == "doc"', output_fields=["count(*)"])
        return int(found[0]["count(*)"])


def term_ids(rows: list[dict[str, Any]]) -> set[int]:
    """The term ids in passage rows' sparse vectors."""
    return {int(dim) // 2 for row in rows for dim in row["sparse"]}


def row_key(name: str) -> int:
    """The primary key of a named row: a signed 64-bit hash of the name."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _term_key(key: str) -> tuple[str, str]:
    field, _, term = key.partition(":")
    return field, term
