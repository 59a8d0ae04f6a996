"""Search store benchmark: the same mixed public index in the ``local`` store and in a ``milvus`` store, side by side.

    .venv/bin/python eval/benchmark_store.py [--per-set N] [--passages N] [--datasets DIR] [--uri URI] [--json FILE]

One index of KorQuAD 1.0 dev + DRCD dev + CMRC 2018 dev paragraphs (from ../shared/datasets; never copied into the
project) is written into each store through the ``SearchStore`` contract (``index build``'s path for Milvus), and
the first N questions of each set are asked through the ``Retriever`` (top 20, one passage per document, as
``benchmark_retrieval.py`` asks). Figures per store: recall@1/@5 per set, build rate, query p50/p95 and the first
query alone; for a milvus-lite server started here, its peak memory after the write and after the questions.
For Milvus, the per-query work on our side (query analysis + sparse query vector with its statistics lookups, and
the query embedding) is also timed alone: without ``--uri`` the server is ``milvus-lite``, a pure-Python stand-in whose
speed says nothing about Milvus', so its latency is labelled as milvus-lite's.

Both stores are written as ``index build`` writes a full build (``store.sync.write_all``: one write up to 20k
passages; the Milvus build is made aside and published, which flushes it). ``--passages N`` sizes the index: below
the ~16.5k passages of the three sets, the asked questions' paragraphs and the first others up to about N; above,
every paragraph and the same sets' text re-cut into other documents (``benchmark_scale.rewindowed``), where the gold
paragraphs compete with re-cut copies of themselves, so recall at that size only shows that the stores agree.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.embedding.base import create_embedder  # noqa: E402
from assistant.evaluation.metrics import percentile, rank_of  # noqa: E402
from assistant.evaluation.squad import Question, SquadSet, load_squad  # noqa: E402
from assistant.indexing.search_index import SearchIndex  # noqa: E402
from assistant.ingest.chunking import chunk_documents  # noqa: E402
from assistant.records import Document  # noqa: E402
from assistant.retrieval.retriever import Retriever, SearchOptions  # noqa: E402
from assistant.settings import Settings, StoreSettings  # noqa: E402
from assistant.store.base import BuiltAside, SearchStore, open_store  # noqa: E402
from assistant.store.local import LocalStore  # noqa: E402
from assistant.store.sync import write_all  # noqa: E402
from eval.benchmark_scale import rewindowed  # noqa: E402
from tests.store.milvus_server import milvus_uri  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
FILES = ["korquad_v1/KorQuAD_v1.0_dev.json", "drcd/DRCD_dev.json", "cmrc2018/cmrc2018_dev.json"]


def sample(squad: SquadSet, per_set: int) -> list[Question]:
    """The first ``per_set`` questions of each file."""
    taken: dict[str, int] = {}
    chosen = []
    for question in squad.questions:
        if taken.get(question.dataset, 0) < per_set:
            taken[question.dataset] = taken.get(question.dataset, 0) + 1
            chosen.append(question)
    return chosen


def sized(squad: SquadSet, questions: list[Question], datasets: Path, passages: int) -> list[Document]:
    """The paragraphs (every one, with ``passages`` 0); fewer, the questions' own first, down to about
    ``passages`` passages; or all of them and re-cut documents of the same text after them, up to about that."""
    if passages <= 0:
        return squad.documents
    counts = [len(group) for group in chunk_documents(squad.documents, Settings().chunking)]
    if passages > sum(counts):
        return squad.documents + rewindowed(datasets, passages - sum(counts))
    gold = {q.gold for q in questions}
    order = sorted(range(len(squad.documents)), key=lambda i: squad.documents[i].id not in gold)
    kept, total = [], 0
    for i in order:
        if total >= passages and squad.documents[i].id not in gold:
            break
        kept.append(i)
        total += counts[i]
    return [squad.documents[i] for i in sorted(kept)]


def server_peak_mb(marker: str) -> float | None:
    """Peak resident memory (VmHWM) of the ``milvus-lite server`` process whose command line holds ``marker`` (its
    data folder), in MB; None when there is none (a Milvus given by ``--uri``) or /proc can't tell."""
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            command = (folder / "cmdline").read_bytes().decode("utf-8", "replace")
            if "milvus-lite" not in command or marker not in command:
                continue
            for line in (folder / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            continue
    return None


def run(
    store: SearchStore, documents: list[Document], questions: list[Question], server: str | None = None
) -> dict[str, object]:
    """Write the documents, ask the questions; recall per set and timings (with ``server``, the marker of a
    milvus-lite server's command line: its peak memory after the write and after the questions)."""
    started = time.perf_counter()
    write_all(store, documents)
    if isinstance(store, BuiltAside):
        store.publish()
    build = time.perf_counter() - started
    written = server_peak_mb(server) if server else None
    passages = store.stats().passages
    retriever = Retriever(store, store.settings.retrieval)
    options = SearchOptions(top_k=20, per_document=1, min_score=0.0)
    ranks: dict[str, list[int | None]] = {}
    latencies, ours = [], []
    keyword_query = getattr(store, "keyword_query", None)
    for question in questions:
        begin = time.perf_counter()
        hits = retriever.search(question.text, options)
        latencies.append((time.perf_counter() - begin) * 1000)
        ranks.setdefault(question.dataset, []).append(rank_of(question.gold, [h.passage.document_id for h in hits]))
        if keyword_query is not None:  # our side of a Milvus query, alone
            begin = time.perf_counter()
            keyword_query(question.text)
            if store.embedder is not None:
                store.embedder.embed_queries([question.text + " "])  # past the query cache
            ours.append((time.perf_counter() - begin) * 1000)
    recall = {
        name: {
            "recall@1": round(sum(1 for r in found if r == 1) / len(found), 4),
            "recall@5": round(sum(1 for r in found if r is not None and r <= 5) / len(found), 4),
        }
        for name, found in ranks.items()
    }
    figures: dict[str, object] = {
        "passages": passages, "build_seconds": round(build, 1), "passages_per_second": round(passages / build, 1),
        "recall": recall, "query_p50_ms": round(percentile(latencies, 50), 2),
        "query_p95_ms": round(percentile(latencies, 95), 2),
    }  # fmt: skip
    if ours:
        figures["our_side_p50_ms"] = round(percentile(ours, 50), 2)
    figures["first_query_ms"] = round(latencies[0], 1) if latencies else None
    if written is not None:  # milvus-lite builds its sparse index in Python on the first keyword search
        figures["server_peak_mb_after_write"] = written
        figures["server_peak_mb_after_queries"] = server_peak_mb(server) if server else None
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-set", type=int, default=300, help="questions asked per set (default 300)")
    parser.add_argument("--passages", type=int, default=0, help="about N passages instead of every paragraph (above)")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help=f"the shared datasets folder ({DATASETS})")
    parser.add_argument("--uri", default=None, help="a Milvus to use instead of starting milvus-lite")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    files = [args.datasets / name for name in FILES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"missing dataset files: {', '.join(missing)}")
    squad = load_squad(files)
    questions = sample(squad, args.per_set)
    documents = sized(squad, questions, args.datasets, args.passages)
    print(f"{len(documents)} documents ({len(squad.documents)} paragraphs), {len(questions)} questions "
          f"({args.per_set} per set)")  # fmt: skip
    embedder = create_embedder(Settings().embedder)
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as temporary:
        local = LocalStore.in_memory(SearchIndex(Settings(), embedder))  # as benchmark_retrieval builds it
        results["local"] = run(local, documents, questions)
        with milvus_uri(Path(temporary)) if args.uri is None else nullcontext(args.uri) as uri:
            label = "milvus-lite (pure-Python stand-in, not Milvus' speed)" if args.uri is None else f"milvus {uri}"
            settings = Settings(index_dir=Path(temporary) / "milvus", store=StoreSettings(backend="milvus", uri=uri))
            store = open_store(settings, embedder, create=True, fresh=True)
            try:
                results[label] = run(store, documents, questions, temporary if args.uri is None else None)
            finally:
                store.drop()  # type: ignore[attr-defined]
                store.close()
    sets = sorted({q.dataset for q in questions})
    print(f"{'store':<56}" + "".join(f"{s[:12] + ' r@1/r@5':>24}" for s in sets) + f"{'p50 ms':>9}{'ours p50':>10}")
    for name, figures in results.items():
        recall: dict[str, dict[str, float]] = figures["recall"]  # type: ignore[assignment]
        cells = "".join(f"{recall[s]['recall@1']:>15.4f} / {recall[s]['recall@5']:.4f}" for s in sets)
        ours = figures.get("our_side_p50_ms", "")
        print(f"{name:<56}{cells}{figures['query_p50_ms']:>9}{ours:>10}")
        print(f"{'':<56}{figures['passages']} passages written in {figures['build_seconds']} s "
              f"({figures['passages_per_second']} passages/s); query p95 {figures['query_p95_ms']} ms, "
              f"first query {figures['first_query_ms']} ms")  # fmt: skip
        if "server_peak_mb_after_write" in figures:
            print(f"{'':<56}milvus-lite server peak memory: {figures['server_peak_mb_after_write']} MB after the "
                  f"write, {figures['server_peak_mb_after_queries']} MB after the questions")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
