"""Retrieval benchmark: the assistant's offline default against two baselines, side by side, in one run.

    .venv/bin/python eval/benchmark_retrieval.py [--limit N] [--json FILE] [--datasets DIR]

One mixed index of KorQuAD 1.0 dev + DRCD dev + CMRC 2018 dev (from ../shared/datasets; never copied
into the project). The assistant's figures include its default answers (the Assistant as users meet it:
answerability, answer phrase, extractive composer): answer_hit, the share holding a gold answer text,
answer_chars, their mean length, exact_match and char_f1 of the answer phrase against the gold answers, and
answered, the share not declined (every question's paragraph is indexed).
Baselines (retrieval only), scored on the same paragraphs and questions:
  * bm25s over character bigrams (whitespace removed), the bm25s defaults;
  * LangChain's default BM25 retriever, i.e. rank_bm25.BM25Okapi over ``text.split()`` (what
    ``BM25Retriever.from_texts`` does with its default preprocessing), reproduced without LangChain.
Build rates are given for the mixed index and for each file's language alone (an index of that file's paragraphs,
built after the mixed one, so with the analysers loaded; CPU seconds of all threads beside the wall time,
which load on a shared machine inflates); the query p50 beside bm25s', and the embedder's own
share of each query (``embed_p50_ms``).
Needs the bench extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile, rank_of, retrieval_metrics  # noqa: E402
from assistant.evaluation.squad import SquadSet, evaluate_squad, load_squad  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
FILES = ["korquad_v1/KorQuAD_v1.0_dev.json", "drcd/DRCD_dev.json", "cmrc2018/cmrc2018_dev.json"]
LANGUAGES = {"KorQuAD_v1.0_dev": "ko", "DRCD_dev": "zh-Hant", "cmrc2018_dev": "zh-Hans"}
TARGETS = {"KorQuAD_v1.0_dev": 0.93, "DRCD_dev": 0.96, "cmrc2018_dev": 0.965}
ANSWER_TARGETS = {"KorQuAD_v1.0_dev": 0.90, "DRCD_dev": 0.90, "cmrc2018_dev": 0.85}


def bigrams(text: str) -> list[str]:
    compact = "".join(text.split())
    return [compact[i : i + 2] for i in range(len(compact) - 1)] or [compact]


def baseline(squad: SquadSet, name: str, limit: int | None) -> dict[str, dict[str, float]]:
    """Rank paragraphs with a baseline retriever; metrics per file."""
    texts = [d.text for d in squad.documents]
    ids = [d.id for d in squad.documents]
    questions = squad.questions[:limit] if limit else squad.questions
    started = time.perf_counter()
    if name == "bm25s-bigrams":
        import bm25s

        retriever = bm25s.BM25()
        retriever.index([bigrams(t) for t in texts], show_progress=False)

        def rank(question: str) -> list[str]:
            docs, _ = retriever.retrieve([bigrams(question)], k=20, show_progress=False)
            return [ids[i] for i in docs[0]]
    else:
        from rank_bm25 import BM25Okapi

        okapi = BM25Okapi([t.split() for t in texts])

        def rank(question: str) -> list[str]:
            scores = okapi.get_scores(question.split())
            return [ids[i] for i in np.argsort(-scores, kind="stable")[:20]]

    build = time.perf_counter() - started
    ranks: dict[str, list[int | None]] = {}
    latencies: list[float] = []
    for question in questions:
        begin = time.perf_counter()
        ranking = rank(question.text)
        latencies.append((time.perf_counter() - begin) * 1000)
        ranks.setdefault(question.dataset, []).append(rank_of(question.gold, ranking))
    result = {file: retrieval_metrics(r) for file, r in ranks.items()}
    result["overall"] = {
        **retrieval_metrics([r for rs in ranks.values() for r in rs]),
        "query_p50_ms": percentile(latencies, 50),
        "index_seconds": build,
    }
    return result


def build_rates(squad: SquadSet, settings: Settings) -> dict[str, dict[str, float]]:
    """Passages per second of an index of each file's paragraphs alone (keyword side and embedder)."""
    from assistant.embedding.base import create_embedder
    from assistant.indexing.search_index import SearchIndex

    rates: dict[str, dict[str, float]] = {}
    for name, language in LANGUAGES.items():
        documents = [d for d in squad.documents if d.id.startswith(f"{name}:")]
        started, cpu = time.perf_counter(), time.process_time()
        index = SearchIndex(settings, create_embedder(settings.embedder))
        index.add_documents(documents)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rates[language] = {
            "documents": len(documents),
            "passages": len(index.passages),
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),  # all threads (kiwi analyses on its own workers): the work, apart from load
            "passages_per_second": round(len(index.passages) / max(seconds, 1e-9), 1),
        }
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions (for a quick look)")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures to this file")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help=f"the shared datasets folder ({DATASETS})")
    args = parser.parse_args()
    files = [args.datasets / name for name in FILES]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        sys.exit(f"missing dataset files: {', '.join(missing)} (give the datasets folder with --datasets)")
    squad = load_squad(files)
    print(f"{len(squad.documents)} paragraphs, {len(squad.questions)} questions", flush=True)
    settings = Settings()
    ours = evaluate_squad(squad, settings, limit=args.limit)
    ours["languages"] = build_rates(squad, settings)
    results = {
        "assistant (offline default)": {**ours["per_file"], "overall": ours},
        "bm25s over char bigrams": baseline(squad, "bm25s-bigrams", args.limit),
        "LangChain default BM25 (rank_bm25, whitespace)": baseline(squad, "rank_bm25-whitespace", args.limit),
    }
    print(f"\n{'':<48}{'KorQuAD r@1':>12}{'DRCD r@1':>10}{'CMRC r@1':>10}{'KorQuAD r@5':>12}{'DRCD r@5':>10}"
          f"{'CMRC r@5':>10}{'p50 ms':>8}")  # fmt: skip
    for name, result in results.items():
        nothing = {"recall@1": float("nan"), "recall@5": float("nan")}  # a file --limit left no question of
        row = [result.get(f, nothing)["recall@1"] for f in TARGETS] + [
            result.get(f, nothing)["recall@5"] for f in TARGETS
        ]
        cells = "".join(f"{v:>10.3f}" if i % 3 else f"{v:>12.3f}" for i, v in enumerate(row))
        print(f"{name:<48}{cells}{result['overall']['query_p50_ms']:>8.2f}")
    print("targets (recall@1)".ljust(48) + "".join(f"{v:>12.3f}" if i == 0 else f"{v:>10.3f}"
          for i, v in enumerate(TARGETS.values())) + "   recall@5 >= 0.990 each")  # fmt: skip
    print(
        f"\nassistant index: {ours['passages']} passages in {ours['index_seconds']}s "
        f"({ours['passages_per_second']} passages/s, target >= 150); query p50 {ours['query_p50_ms']} ms "
        f"(target <= 3), p95 {ours['query_p95_ms']} ms; peak memory {ours['peak_memory_mb']} MB"
    )
    print("build by language alone: " + "; ".join(
        f"{lang} {r['passages']} passages in {r['seconds']}s, {r['cpu_seconds']} CPU-s "
        f"({r['passages_per_second']} passages/s)"
        for lang, r in ours["languages"].items()))  # fmt: skip
    bm25s_p50 = results["bm25s over char bigrams"]["overall"]["query_p50_ms"]
    embed = ours.get("embed_p50_ms", 0.0)
    print(
        f"query p50 {ours['query_p50_ms']} ms, of which the embedder {embed} ms: {ours['query_p50_ms'] - embed:.3f} ms "
        f"without it, {(ours['query_p50_ms'] - embed) / max(bm25s_p50, 1e-9):.1f}x bm25s' {bm25s_p50:.3f} ms "
        "(target <= 3x)"
    )
    print(f"\n{'assistant answers (extractive)':<48}{'KorQuAD':>12}{'DRCD':>10}{'CMRC':>10}")
    for key, label in (
        ("answer_hit", "answer_hit (gold text in the answer)"),
        ("answer_chars", "answer_chars (mean)"),
        ("exact_match", "exact_match (answer phrase)"),
        ("char_f1", "char_f1 (answer phrase)"),
        ("answered", "answered (not declined)"),
    ):
        values = [ours["per_file"].get(f, {}).get(key, float("nan")) for f in TARGETS]
        cells = "".join(f"{v:>10.3f}" if i else f"{v:>12.3f}" for i, v in enumerate(values))
        print(f"{label:<48}{cells}")
    print("targets (answer_hit)".ljust(48) + "".join(f"{v:>12.3f}" if i == 0 else f"{v:>10.3f}"
          for i, v in enumerate(ANSWER_TARGETS.values())) + f"   answer p50 {ours['answer_p50_ms']} ms")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
