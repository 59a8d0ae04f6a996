"""Scale benchmark: build a local index of N passages of real text, then search it from a fresh process.

    .venv/bin/python eval/benchmark_scale.py [--passages 10000] [--queries 500] [--datasets DIR] [--json FILE]
        [--index DIR] [--hits FILE] [--compare FILE]

The text is the paragraphs of KorQuAD 1.0 dev, DRCD dev and CMRC 2018 dev (../shared/datasets; never copied
into the project), each language's paragraphs run together and re-windowed into documents of 1,500 characters,
each round of windows shifted against the last, until the documents make about N passages (real text,
re-cut, so the passages of one round differ from those of another). The questions of the same sets are asked.

Prints the build rate (passages/s, hashing embedder unless ASSISTANT_EMBEDDER__NAME says otherwise), the
index's size on disk, and, from a fresh process that opens the saved index: search p50/p99 through the
retriever, keyword-only scoring as the retriever does it (keyword_scores + top) against keyword_top, and the
resident memory (RSS) after opening and after the searches.

To check that a change to the search path leaves results as they were: ``--index DIR`` keeps the index (and
searches an index already there without building), ``--hits FILE`` writes every question's hits (passage ids and
scores, in order), and ``--compare FILE`` checks them against a file written before the change: the same ids in
the same order, every score within 1e-5 (exit status 1 and the first differences otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile  # noqa: E402
from assistant.evaluation.squad import load_squad  # noqa: E402
from assistant.records import Document, Section  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
FILES = ["korquad_v1/KorQuAD_v1.0_dev.json", "drcd/DRCD_dev.json", "cmrc2018/cmrc2018_dev.json"]
WINDOW = 1500  # characters per re-windowed document
ROUNDS_SHIFT = 7  # each round's windows start WINDOW / ROUNDS_SHIFT further on than the last round's


def rewindowed(datasets: Path, passages: int) -> list[Document]:
    """Documents of real text, re-cut from the sets' paragraphs, about ``passages`` passages in all."""
    from assistant.ingest.chunking import chunk_documents

    squad = load_squad([datasets / name for name in FILES])
    streams = {}
    for name in FILES:
        stem = Path(name).stem
        streams[stem] = "\n".join(d.text for d in squad.documents if d.id.startswith(f"{stem}:"))
    documents: list[Document] = []
    sample = [
        Document(f"{stem}-sample-{start}", stem, text[start : start + WINDOW], (Section("", 0, WINDOW),))
        for stem, text in streams.items()
        for start in range(0, min(len(text) - WINDOW, 20 * WINDOW), WINDOW)
    ]  # the languages in equal parts, as the rounds below take them
    per_document = sum(map(len, chunk_documents(sample, Settings().chunking))) / len(sample)
    wanted = int(passages / per_document) + 1
    round_ = 0
    while len(documents) < wanted:
        shift = (round_ * WINDOW // ROUNDS_SHIFT) % WINDOW
        starts = {stem: range(shift, len(text) - WINDOW, WINDOW) for stem, text in streams.items()}
        for i in range(max(map(len, starts.values()))):  # the languages taken in turn
            for stem, text in streams.items():
                if i < len(starts[stem]):
                    start = starts[stem][i]
                    body = text[start : start + WINDOW]
                    documents.append(Document(f"{stem}-r{round_}-{start}", stem, body, (Section("", 0, WINDOW),)))
                    if len(documents) >= wanted:
                        return documents
        round_ += 1
    return documents


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(folder: Path) -> float:
    """Bytes under a folder, in MB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def build(datasets: Path, passages: int, index_dir: Path) -> dict[str, Any]:
    """Build and save the index; its figures."""
    from assistant.embedding.base import create_embedder
    from assistant.indexing.search_index import SearchIndex

    settings = Settings(index_dir=index_dir)
    documents = rewindowed(datasets, passages)
    started = time.perf_counter()
    index = SearchIndex(settings, create_embedder(settings.embedder))
    index.analyse(documents[:: max(1, len(documents) // 3)][:3])  # load kiwi, jieba and OpenCC, not timed below
    warm = time.perf_counter() - started
    started = time.perf_counter()
    index.add_documents(documents)
    built = time.perf_counter() - started
    index.save(index_dir)
    saved = time.perf_counter() - started
    return {
        "documents": len(documents),
        "analysers_load_seconds": round(warm, 1),
        "passages": len(index.passages),
        "build_seconds": round(built, 1),
        "passages_per_second": round(len(index.passages) / built, 1),
        "save_seconds": round(saved - built, 1),
        "vector_index": index.vectors.kind if index.vectors is not None else "none",
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "disk_mb": round(disk_mb(index_dir), 1),
    }


def search(datasets: Path, index_dir: Path, queries: int, hits_file: Path | None = None) -> dict[str, Any]:
    """Open the saved index (in this fresh process) and time searches; the figures (and the hits, to a file)."""
    from assistant.indexing.builder import open_retriever
    from assistant.retrieval.retriever import SearchOptions
    from assistant.store.local import _top

    before = rss_mb()
    started = time.perf_counter()
    retriever = open_retriever(Settings(index_dir=index_dir))
    opened = time.perf_counter() - started
    opened_rss = rss_mb()
    squad = load_squad([datasets / name for name in FILES])
    step = max(1, len(squad.questions) // queries)
    questions = [q.text for q in squad.questions[::step]][:queries]
    options = SearchOptions(top_k=20, per_document=1, min_score=0.0)
    for question in questions[:20]:  # warm the analysers
        retriever.search(question, options)
    latencies, full, top = [], [], []
    found: list[list[tuple[str, float, float, float]]] = []
    index = retriever.store.index  # type: ignore[attr-defined]  # the local store's SearchIndex
    k = max(retriever.settings.candidates, 60)
    for question in questions:
        begin = time.perf_counter()
        hits = retriever.search(question, options)
        latencies.append((time.perf_counter() - begin) * 1000)
        found.append([(h.passage.id, h.score, h.keyword_score, h.dense_score) for h in hits])
        begin = time.perf_counter()
        _top(index.keyword_scores(question), k)
        full.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        index.keyword_top(question, k)
        top.append((time.perf_counter() - begin) * 1000)
    if hits_file is not None:
        hits_file.write_text(json.dumps({"questions": questions, "hits": found}, ensure_ascii=False), "utf-8")
    return {
        "open_seconds": round(opened, 2),
        "queries": len(questions),
        "search_p50_ms": round(percentile(latencies, 50), 3),
        "search_p99_ms": round(percentile(latencies, 99), 3),
        "keyword_scores_top_p50_ms": round(percentile(full, 50), 3),
        "keyword_top_p50_ms": round(percentile(top, 50), 3),
        "rss_before_open_mb": round(before, 1),
        "rss_opened_mb": round(opened_rss, 1),
        "rss_after_searches_mb": round(rss_mb(), 1),
    }


def compare_hits(before_file: Path, after_file: Path, tolerance: float = 1e-5) -> list[str]:
    """How the hits in ``after_file`` differ from those in ``before_file`` (ids, order, scores); empty when alike."""
    before = json.loads(before_file.read_text("utf-8"))
    after = json.loads(after_file.read_text("utf-8"))
    if before["questions"] != after["questions"]:
        return ["the two files hold different questions"]
    differences = []
    for question, old, new in zip(before["questions"], before["hits"], after["hits"], strict=True):
        ids_old, ids_new = [h[0] for h in old], [h[0] for h in new]
        if ids_old != ids_new:
            differences.append(f"{question!r}: ids {ids_old[:5]}… became {ids_new[:5]}…")
            continue
        pairs = [(a, b) for h, g in zip(old, new, strict=True) for a, b in zip(h[1:], g[1:], strict=True)]
        worst = max((abs(a - b) for a, b in pairs), default=0.0)
        if worst > tolerance:
            differences.append(f"{question!r}: a score moved by {worst:.2e}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=10_000, help="about how many passages to index")
    parser.add_argument("--queries", type=int, default=500, help="questions to time")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help=f"the shared datasets folder ({DATASETS})")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--index", type=Path, default=None, help="build the index here and keep it (or search it)")
    parser.add_argument("--hits", type=Path, default=None, help="write every question's hits (ids, scores) here")
    parser.add_argument("--compare", type=Path, default=None, help="check the hits against this earlier --hits file")
    parser.add_argument("--search-only", type=Path, default=None, help=argparse.SUPPRESS)  # the fresh process
    args = parser.parse_args()
    if args.search_only:
        print(json.dumps(search(args.datasets, args.search_only, args.queries, args.hits)))
        return
    missing = [name for name in FILES if not (args.datasets / name).exists()]
    if missing:
        sys.exit(f"missing dataset files under {args.datasets}: {', '.join(missing)} (give the folder with --datasets)")
    hits = args.hits
    if args.compare and hits is None:
        hits = Path(tempfile.mkdtemp(prefix="scale-hits-")) / "hits.json"
    with tempfile.TemporaryDirectory(prefix="scale-") as folder:
        index_dir = args.index or Path(folder) / "index"
        if (index_dir / "CURRENT").exists():
            figures: dict[str, Any] = {"index": str(index_dir)}
        else:
            figures = build(args.datasets, args.passages, index_dir)
            print(
                f"analysers loaded in {figures['analysers_load_seconds']}s (not counted); "
                f"built {figures['passages']} passages ({figures['documents']} documents) in "
                f"{figures['build_seconds']}s: {figures['passages_per_second']} passages/s; "
                f"{figures['vector_index']} vectors; {figures['disk_mb']} MB on disk; "
                f"build peak RSS {figures['build_peak_rss_mb']} MB",
                flush=True,
            )
        command = [sys.executable, __file__, "--search-only", str(index_dir), "--queries", str(args.queries)]
        command += ["--hits", str(hits)] if hits else []
        command += ["--datasets", str(args.datasets)]
        found = subprocess.run(command, capture_output=True, text=True, env=os.environ)
        if found.returncode != 0:
            sys.exit(f"the search process failed:\n{found.stderr}")
        figures.update(json.loads(found.stdout.strip().splitlines()[-1]))
    print(
        f"opened in {figures['open_seconds']}s; search p50 {figures['search_p50_ms']} ms, "
        f"p99 {figures['search_p99_ms']} ms over {figures['queries']} questions; "
        f"keyword scoring p50 {figures['keyword_scores_top_p50_ms']} ms "
        f"(keyword_scores + top), {figures['keyword_top_p50_ms']} ms (keyword_top); RSS {figures['rss_opened_mb']} MB "
        f"opened, {figures['rss_after_searches_mb']} MB after the searches"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.compare and hits:
        differences = compare_hits(args.compare, hits)
        print(f"hits: {len(differences)} of {figures['queries']} questions differ from {args.compare}")
        if differences:
            sys.exit("\n".join(differences[:10]))


if __name__ == "__main__":
    main()
