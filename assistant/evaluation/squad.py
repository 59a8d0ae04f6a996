"""Public-benchmark evaluation on SQuAD-style files (KorQuAD, DRCD, CMRC).

Every unique paragraph becomes a document in one temporary index (several files make one mixed index),
every question is asked, and the gold paragraph's rank gives recall@k, MRR and nDCG. Each question is
also answered by the ``Assistant`` as it answers users by default (answerability, the answer phrase, the
extractive composer): ``answer_hit`` is the share of answers that contain a gold answer text,
``answer_chars`` their mean length (markers excluded), ``exact_match`` and ``char_f1`` compare the answer
phrase (the whole answer when it has none) with the gold answers, and ``answered`` is the share not declined
(every question's paragraph is indexed, so each one is answerable).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answering.citations import MARKER
from ..conversations.base import create_store
from ..core import Assistant
from ..embedding.base import create_embedder
from ..errors import IngestError
from ..indexing.search_index import SearchIndex
from ..records import Answer, Document, Section
from ..retrieval.retriever import Retriever, SearchOptions
from ..settings import ConversationSettings, Settings
from .answer_match import char_f1, exact_match
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


@dataclass(frozen=True, slots=True)
class Asked:
    """One question's outcome: the gold paragraph's rank, and the default answer's length and how right it is."""

    dataset: str
    rank: int | None
    query_ms: float
    embed_ms: float  # the embedder's own share of query_ms
    answer_chars: int
    answer_hit: bool
    answer_ms: float
    exact_match: float
    char_f1: float
    answered: bool


def half_of(questions: Sequence[Question], half: str) -> list[Question]:
    """Each file's first or second half of its questions (in file order): tune on one, report the other apart."""
    if half not in ("first", "second"):
        raise ValueError(f"half must be 'first' or 'second', not {half!r}")
    chosen: list[Question] = []
    for dataset in dict.fromkeys(q.dataset for q in questions):
        own = [q for q in questions if q.dataset == dataset]
        middle = (len(own) + 1) // 2
        chosen += own[:middle] if half == "first" else own[middle:]
    return chosen


def evaluate_squad(
    squad: SquadSet,
    settings: Settings,
    limit: int | None = None,
    on_build: Callable[[int], None] | None = None,
    on_question: Callable[[int], None] | None = None,
    half: str | None = None,
) -> dict[str, Any]:
    """Build one index of all paragraphs, run the questions (each file's ``half`` of them, if given), and return
    metrics overall and per file."""
    questions = half_of(squad.questions, half) if half else squad.questions
    questions = questions[:limit] if limit else questions
    started = time.perf_counter()
    index = SearchIndex(settings, create_embedder(settings.embedder))
    index.add_documents(squad.documents, progress=on_build)
    index_seconds = time.perf_counter() - started
    retriever = Retriever(index, settings.retrieval)
    asked = asyncio.run(_ask_all(questions, retriever, settings, on_question, _EmbedClock(index)))
    files = dict.fromkeys(a.dataset for a in asked)
    per_file = {
        name: _summary(
            [a for a in asked if a.dataset == name],
            sum(1 for d in squad.documents if d.id.startswith(f"{name}:")),
        )
        for name in files
    }
    overall = _summary(asked, len(squad.documents))
    return {
        **overall,
        "index_seconds": round(index_seconds, 2),
        "passages": len(index.passages),
        "passages_per_second": round(len(index.passages) / max(index_seconds, 1e-9), 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "per_file": per_file,
    }


class _EmbedClock:
    """Adds up the time the index's embedder spends embedding queries (its own share of a search)."""

    def __init__(self, index: SearchIndex) -> None:
        self.seconds = 0.0
        embedder = index.embedder
        if embedder is None:
            return
        embed = embedder.embed_queries

        def timed(texts: Sequence[str]) -> Any:
            begin = time.perf_counter()
            try:
                return embed(texts)
            finally:
                self.seconds += time.perf_counter() - begin

        embedder.embed_queries = timed  # type: ignore[method-assign]


async def _ask_all(
    questions: Sequence[Question],
    retriever: Retriever,
    settings: Settings,
    on_question: Callable[[int], None] | None,
    clock: _EmbedClock,
) -> list[Asked]:
    """Rank each question's gold paragraph, and have the assistant answer it (conversations kept in memory)."""
    assistant = Assistant(settings, retriever, None, create_store(ConversationSettings(backend="memory")))
    options = SearchOptions(top_k=20, per_document=1, min_score=0.0)
    asked: list[Asked] = []
    try:
        for question in questions:
            clock.seconds = 0.0
            begin = time.perf_counter()
            hits = retriever.search(question.text, options)
            query_ms = (time.perf_counter() - begin) * 1000
            embed_ms = clock.seconds * 1000
            begin = time.perf_counter()
            answer = await assistant.answer(question.text)
            answer_ms = (time.perf_counter() - begin) * 1000
            rank = rank_of(question.gold, [hit.passage.document_id for hit in hits])
            asked.append(_outcome(question, answer, rank, query_ms, embed_ms, answer_ms))
            if on_question:
                on_question(1)
    finally:
        await assistant.aclose()
    return asked


def _outcome(
    question: Question, answer: Answer, rank: int | None, query_ms: float, embed_ms: float, answer_ms: float
) -> Asked:
    """How one answer did against its question's gold answers."""
    text = MARKER.sub("", answer.text)
    phrase = answer.short_answer or text
    golds = [gold for gold in question.answers if gold]
    return Asked(
        question.dataset,
        rank,
        query_ms,
        embed_ms,
        len(text),
        any(gold in text for gold in golds),
        answer_ms,
        exact_match(phrase, golds),
        char_f1(phrase, golds),
        not answer.abstained,
    )


def _summary(asked: Sequence[Asked], documents: int) -> dict[str, Any]:
    """Retrieval and answer figures of some asked questions."""
    count = max(len(asked), 1)
    return {
        **{k: round(v, 4) for k, v in retrieval_metrics([a.rank for a in asked]).items()},
        "answer_hit": round(sum(a.answer_hit for a in asked) / count, 4),
        "answer_chars": round(sum(a.answer_chars for a in asked) / count, 1),
        "exact_match": round(sum(a.exact_match for a in asked) / count, 4),
        "char_f1": round(sum(a.char_f1 for a in asked) / count, 4),
        "answered": round(sum(a.answered for a in asked) / count, 4),
        "query_p50_ms": round(percentile([a.query_ms for a in asked], 50), 3),
        "query_p95_ms": round(percentile([a.query_ms for a in asked], 95), 3),
        "embed_p50_ms": round(percentile([a.embed_ms for a in asked], 50), 3),
        "answer_p50_ms": round(percentile([a.answer_ms for a in asked], 50), 3),
        "questions": len(asked),
        "documents": documents,
    }
