"""Searching a Milvus passages collection: sparse (our BM25 query vectors), dense, and both fused.

A keyword query may hold several sparse vectors (the plain fields' and each bridge field's lane, ``sparse_bm25``):
each is searched on its own and a passage keeps the best of its scores, as the local keyword index takes the best
of its lanes. Scores are recomputed from the stored vectors, so every hit carries both sides' scores whichever
side found it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..records import Hit, Language, Passage
from ..retrieval.fusion import reciprocal_rank, weighted
from ..settings import RetrievalSettings
from .base import Filters
from .milvus_meta import in_list
from .sparse_bm25 import KeywordQuery

PASSAGE_FIELDS = ["passage_id", "document_id", "title", "section", "source", "language", "text", "start", "end"]
LIMIT = 16_384  # Milvus' largest topk


def expression(filters: Filters | None) -> str:
    """The filters as a Milvus boolean expression ('' for none)."""
    parts = []
    if filters and filters.document_ids:
        parts.append(f"document_id in {in_list(sorted(filters.document_ids))}")
    if filters and filters.languages:
        parts.append(f"language in {in_list(sorted(language.value for language in filters.languages))}")
    return " and ".join(parts)


def keyword_hits(client: Any, name: str, query: KeywordQuery, k: int, where: str) -> list[Hit]:
    """The k passages with the best non-zero keyword scores, best first."""
    vectors = query.vectors
    if not vectors or k <= 0:
        return []
    if len(vectors) == 1:
        found = _search(client, name, vectors[0], "sparse", min(k, LIMIT), where, PASSAGE_FIELDS)
        return [Hit(passage(h["entity"]), h["distance"], h["distance"]) for h in found if h["distance"] > 0]
    scored: dict[str, tuple[float, Passage]] = {}
    for vector in vectors:  # the best k of the best lanes are among each lane's best k
        for h in _search(client, name, vector, "sparse", min(k, LIMIT), where, [*PASSAGE_FIELDS, "sparse"]):
            scored[h["entity"]["passage_id"]] = (query.score(h["entity"]["sparse"]), passage(h["entity"]))
    ranked = sorted(scored.values(), key=lambda found: (-found[0], found[1].id))
    return [Hit(p, score, score) for score, p in ranked[:k] if score > 0]


def dense_hits(client: Any, name: str, vector: np.ndarray, k: int, where: str) -> list[Hit]:
    """The k passages nearest the vector, best first."""
    found = _search(client, name, vector.tolist(), "dense", min(k, LIMIT), where, PASSAGE_FIELDS, ef=max(64, k))
    return [Hit(passage(h["entity"]), h["distance"], 0.0, h["distance"]) for h in found]


def hybrid_hits(
    pymilvus: Any, client: Any, name: str, query: KeywordQuery, vector: np.ndarray | None, candidates: int,
    fusion: RetrievalSettings, where: str,
) -> list[Hit]:  # fmt: skip
    """Up to ``candidates`` from each side, fused as ``fusion`` says. With one keyword vector, Milvus'
    ``hybrid_search`` (its weighted or RRF ranker) finds them; with lanes, each side is searched alone and the
    keyword side's best ``candidates`` taken over all its lanes (the local store's candidates)."""
    limit = min(candidates, LIMIT)
    fields = [*PASSAGE_FIELDS, "sparse", *(["dense"] if vector is not None else [])]
    if len(query.vectors) > 1:
        return _lanes_fused(client, name, query, vector, limit, fusion, where, fields)
    requests = []
    if query.vectors:
        requests.append(pymilvus.AnnSearchRequest(
            data=query.vectors, anns_field="sparse", param={"metric_type": "IP"}, limit=limit, expr=where or None
        ))  # fmt: skip
    if vector is not None:
        requests.append(pymilvus.AnnSearchRequest(
            data=[vector.tolist()], anns_field="dense", limit=limit, expr=where or None,
            param={"metric_type": "IP", "params": {"ef": max(64, limit)}},
        ))  # fmt: skip
    if not requests:
        return []
    total = (fusion.keyword_weight + fusion.dense_weight) or 1.0
    if fusion.fusion == "rrf":
        ranker = pymilvus.RRFRanker(fusion.rrf_k)
    else:
        ranker = pymilvus.WeightedRanker(fusion.keyword_weight / total, fusion.dense_weight / total, norm_score=False)
    try:
        found = client.hybrid_search(name, requests, ranker, limit=min(2 * limit, LIMIT), output_fields=fields)[0]
    except pymilvus.MilvusException as error:
        # milvus-lite 3.x refuses a weighted merge when one side found nothing ("weighted merge requires 1
        # weights, got 2"); Milvus itself does not. The union of the two searches is the same candidate set.
        if "weighted merge requires" not in str(error):
            raise
        found = [h for r in requests for h in _search(client, name, r.data[0], r.anns_field, r.limit, where, fields)]
    if not found:
        return []
    keyword = np.array([query.score(h["entity"]["sparse"]) for h in found], dtype=np.float32)
    dense = _cosines(found, vector)
    if fusion.fusion == "rrf":
        fused = np.array([h["distance"] for h in found], dtype=np.float32)
    else:
        fused = weighted(keyword, dense, fusion.keyword_weight, fusion.dense_weight)
    return _ranked(found, fused, keyword, dense)


def _lanes_fused(
    client: Any, name: str, query: KeywordQuery, vector: np.ndarray | None, limit: int, fusion: RetrievalSettings,
    where: str, fields: list[str],
) -> list[Hit]:  # fmt: skip
    """Hybrid search of a query with lanes: each lane and the dense side searched alone, fused here."""
    by_id: dict[str, dict[str, Any]] = {}
    for lane in query.vectors:
        for h in _search(client, name, lane, "sparse", limit, where, fields):
            by_id[h["entity"]["passage_id"]] = h
    lanes = sorted(by_id.values(), key=lambda h: (-query.score(h["entity"]["sparse"]), h["entity"]["passage_id"]))
    keyword_side = [h for h in lanes if query.score(h["entity"]["sparse"]) > 0][:limit]
    dense_side = [] if vector is None else _search(client, name, vector.tolist(), "dense", limit, where, fields)
    found = list({h["entity"]["passage_id"]: h for h in [*keyword_side, *dense_side]}.values())
    if not found:
        return []
    keyword = np.array([query.score(h["entity"]["sparse"]) for h in found], dtype=np.float32)
    dense = _cosines(found, vector)
    if fusion.fusion == "rrf":
        position = {h["entity"]["passage_id"]: i for i, h in enumerate(found)}
        rankings = [
            np.array([position[h["entity"]["passage_id"]] for h in side]) for side in (keyword_side, dense_side)
        ]
        fused = reciprocal_rank(rankings, np.arange(len(found)), fusion.rrf_k)
    else:
        fused = weighted(keyword, dense, fusion.keyword_weight, fusion.dense_weight)
    return _ranked(found, fused, keyword, dense)


def _cosines(found: list[Any], vector: np.ndarray | None) -> np.ndarray:
    if vector is None:
        return np.zeros(len(found), dtype=np.float32)
    return np.asarray([h["entity"]["dense"] for h in found], dtype=np.float32) @ vector.astype(np.float32)


def _ranked(found: list[Any], fused: np.ndarray, keyword: np.ndarray, dense: np.ndarray) -> list[Hit]:
    passages = [passage(h["entity"]) for h in found]
    order = sorted(range(len(found)), key=lambda i: (-float(fused[i]), passages[i].id))
    seen: set[str] = set()  # a passage twice only for the moment a replace holds both versions
    hits = []
    for i in order:
        if passages[i].id not in seen:
            seen.add(passages[i].id)
            hits.append(Hit(passages[i], float(fused[i]), float(keyword[i]), float(dense[i])))
    return hits


def _search(
    client: Any, name: str, data: Any, field: str, limit: int, where: str, fields: list[str], ef: int | None = None
) -> list[Any]:
    params: dict[str, Any] = {"metric_type": "IP"}
    if ef is not None or field == "dense":
        params["params"] = {"ef": ef or max(64, limit)}
    return list(
        client.search(name, data=[data], anns_field=field, limit=limit, filter=where, output_fields=fields,
                      search_params=params)[0]
    )  # fmt: skip


def passage(entity: dict[str, Any]) -> Passage:
    """The passage a row holds."""
    return Passage(
        id=entity["passage_id"], document_id=entity["document_id"], title=entity["title"],
        section=entity["section"], source=entity["source"], language=Language(entity["language"]),
        text=entity["text"], start=int(entity["start"]), end=int(entity["end"]),
    )  # fmt: skip
