"""Public-benchmark evaluation on SQuAD-style files (KorQuAD, DRCD, CMRC).

Every unique paragraph becomes a document in one temporary index (several files make one mixed index),
every question is asked, and the gold paragraph's rank gives recall@k, MRR and nDCG.
"""

from __future__ import annotations

import hashlib
import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..embedding.base import create_embedder
from ..errors import IngestError
from ..indexing.search_index import SearchIndex
from ..records import Document, Section
from ..retrieval.retriever import Retriever, SearchOptions
from ..settings import Settings
from .metrics import percentile, rank_of, retrieval_metrics


@dataclass(frozen=True)
class Question:
    """One benchmark question with its gold paragraph."""

    id: str
    text: str
    gold: str
    answers: tuple[str, ...]
    dataset: str


@dataclass
class SquadSet:
    """Paragraphs (as documents) and questions of one or more SQuAD-style files."""

    documents: list[Document] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def load_squad(paths: Sequence[Path]) -> SquadSet:
    """Read SQuAD-style JSON files; identical paragraphs become one document, their questions kept."""
    loaded = SquadSet()
    seen: dict[str, str] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            articles = data["data"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IngestError(f"{path}: not a SQuAD-style JSON file ({error}).") from error
        for article in articles:
            for paragraph in article.get("paragraphs", []):
                context = paragraph["context"]
                digest = hashlib.sha1(context.encode("utf-8")).hexdigest()[:16]
                doc_id = seen.get(digest)
                if doc_id is None:
                    doc_id = seen[digest] = f"{path.stem}:{digest}"
                    title = str(article.get("title", ""))
                    loaded.documents.append(
                        Document(id=doc_id, title=title, text=context, sections=(Section("", 0, len(context)),))
                    )
                for qa in paragraph.get("qas", []):
                    answers = tuple(a["text"] for a in qa.get("answers", []))
                    loaded.questions.append(Question(str(qa["id"]), qa["question"], doc_id, answers, path.stem))
    return loaded


def evaluate_squad(
    squad: SquadSet,
    settings: Settings,
    limit: int | None = None,
    on_build: Callable[[int], None] | None = None,
    on_question: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Build one index of all paragraphs, run the questions, and return metrics overall and per file."""
    questions = squad.questions[:limit] if limit else squad.questions
    started = time.perf_counter()
    index = SearchIndex(settings, create_embedder(settings.embedder))
    index.add_documents(squad.documents, progress=on_build)
    index_seconds = time.perf_counter() - started
    retriever = Retriever(index, settings.retrieval)
    options = SearchOptions(top_k=20, per_document=1, min_score=0.0)
    ranks: dict[str, list[int | None]] = {}
    latencies: dict[str, list[float]] = {}
    for question in questions:
        begin = time.perf_counter()
        hits = retriever.search(question.text, options)
        elapsed = (time.perf_counter() - begin) * 1000
        rank = rank_of(question.gold, [hit.passage.document_id for hit in hits])
        ranks.setdefault(question.dataset, []).append(rank)
        latencies.setdefault(question.dataset, []).append(elapsed)
        if on_question:
            on_question(1)

    def summary(r: list[int | None], ms: list[float], documents: int) -> dict[str, Any]:
        return {
            **{k: round(v, 4) for k, v in retrieval_metrics(r).items()},
            "query_p50_ms": round(percentile(ms, 50), 3),
            "query_p95_ms": round(percentile(ms, 95), 3),
            "questions": len(r),
            "documents": documents,
        }

    per_file = {
        name: summary(ranks[name], latencies[name], sum(1 for d in squad.documents if d.id.startswith(f"{name}:")))
        for name in ranks
    }
    all_ranks = [r for name in ranks for r in ranks[name]]
    all_ms = [ms for name in latencies for ms in latencies[name]]
    overall = summary(all_ranks, all_ms, len(squad.documents))
    return {
        **overall,
        "index_seconds": round(index_seconds, 2),
        "passages": len(index.passages),
        "passages_per_second": round(len(index.passages) / max(index_seconds, 1e-9), 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "per_file": per_file,
    }
