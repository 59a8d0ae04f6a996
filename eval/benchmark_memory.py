"""What a serving process holds: resident memory step by step as it loads, and what the opened index is made of.

    PYTHONPATH=$PWD .venv/bin/python eval/benchmark_memory.py --index DIR [--queries 300] [--answers 200]
        [--datasets DIR] [--json FILE]

Build the index first, e.g. the mixed public one of ``eval/benchmark_scale.py --passages 16500 --index DIR``.
In this one process, in the order a server meets them: the imports of the server, kiwi (``Kiwi`` built and warmed
up, with the settings' multi-word choice), jieba's dictionary, OpenCC's two converters, opening the index
(``open_retriever``), the searches (``--queries`` questions of the shared sets, which fault in the
memory-mapped pages they read), the ``Assistant``'s warm-up and ``--answers`` of the questions answered (the
extractive composer; conversations in SQLite, as ``serve`` keeps them), and last what ``malloc_trim`` could still
give back. For each step the change of RSS, split into anonymous memory (the process's own)
and file pages (the index's memory-mapped files and the libraries: shared with other processes and given back
under pressure), from /proc/self/status. Then an inventory of the opened index: the bytes of each part, and
whether it is held in memory or mapped from the generation's files.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"
FILES = ["korquad_v1/KorQuAD_v1.0_dev.json", "drcd/DRCD_dev.json", "cmrc2018/cmrc2018_dev.json"]
MB = 2**20


def rss() -> dict[str, float]:
    """This process's resident memory now, in MB: all of it, anonymous, and file-backed."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss": fields["VmRSS"], "anon": fields["RssAnon"], "file": fields["RssFile"] + fields["RssShmem"]}


def questions(datasets: Path, count: int) -> list[str]:
    """``count`` questions spread over the three public sets, read in a child process (the datasets' records would
    count in this one's memory otherwise)."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assistant.evaluation.squad import load_squad\n"
        "squad = load_squad([Path(sys.argv[1]) / name for name in sys.argv[3:]])\n"
        "step = max(1, len(squad.questions) // int(sys.argv[2]))\n"
        "print(json.dumps([q.text for q in squad.questions[::step]][: int(sys.argv[2])]))\n"
    )
    command = [sys.executable, "-c", script, str(datasets), str(count), *FILES]
    found = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    return list(json.loads(found.stdout))


def _mapped(value: np.ndarray) -> bool:
    """Whether an array's memory is a file mapping (a memmap or a view of one)."""
    seen = value
    while seen is not None:
        if isinstance(seen, np.memmap | memoryview) or type(seen).__name__ == "mmap":
            return True
        seen = getattr(seen, "base", None)
    return False


def _matrix(matrix: Any) -> tuple[int, int]:
    """(bytes held, bytes mapped) of a scipy sparse matrix."""
    held = mapped = 0
    for part in (matrix.data, matrix.indices, matrix.indptr):
        if _mapped(part):
            mapped += part.nbytes
        else:
            held += part.nbytes
    return held, mapped


def inventory(index: Any) -> dict[str, tuple[float, float]]:
    """(MB held in memory, MB mapped) of each part of an opened ``SearchIndex``."""
    parts: dict[str, tuple[float, float]] = {}

    def add(name: str, held: int, mapped: int) -> None:
        old = parts.get(name, (0.0, 0.0))
        parts[name] = (old[0] + held / MB, old[1] + mapped / MB)

    def arrays(name: str, *values: np.ndarray) -> None:
        for value in values:
            add(name, 0 if _mapped(value) else value.nbytes, value.nbytes if _mapped(value) else 0)

    columns = index.passages._state[0]
    arrays("passages: text, ids, fields", columns.text, columns.ids, columns.fields)
    add("passages: distinct strings", sum(sys.getsizeof(s) for s in columns.strings), 0)
    keyword = index.keyword
    for name, field in keyword.passage_fields.items():
        weighted = field._weighted
        add(f"BM25 {name}: weights (CSC)", *_matrix(weighted.matrix))
        arrays(f"BM25 {name}: weights (CSC)", weighted.idf)
        if field._counts is not None:
            add(f"BM25 {name}: counts (CSR)", *_matrix(field._counts))
        saved = field.vocabulary._saved if hasattr(field.vocabulary, "_saved") else None
        if saved is not None:
            arrays(f"BM25 {name}: vocabulary", saved.utf8, saved.offsets, saved.hashes, saved.order)
    for name, field in keyword.document_fields.items():
        add(f"BM25 {name}: per document", *_matrix(field._weighted.matrix))
    arrays("keyword: document of row", keyword.document_of_row)
    add(
        "documents (entries, ids, slots)",
        sum(sys.getsizeof(e) + sum(sys.getsizeof(v) for v in e.__dict__.values()) for e in index.documents.values())
        + sys.getsizeof(index.documents)
        + sum(sys.getsizeof(d) for d in keyword.document_ids)
        + sys.getsizeof(keyword._slot),
        0,
    )
    arrays("keys", index.keys)
    vectors = index.vectors
    if vectors is not None:
        exact = getattr(vectors, "_exact", None)
        if exact is not None:
            arrays("vectors: exact snapshot", exact.columns, exact.keys)
        elif getattr(vectors, "_index", None) is not None:
            size = int(vectors._index.ntotal) * vectors.dimension * 4
            add("vectors: FAISS", 0 if vectors._path else size, size if vectors._path else 0)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="an index folder built beforehand")
    parser.add_argument("--queries", type=int, default=300, help="questions to search after opening")
    parser.add_argument("--answers", type=int, default=200, help="then answer this many of them (0: none)")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help=f"the shared datasets folder ({DATASETS})")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    asked = questions(args.datasets, args.queries)
    gc.collect()
    steps: list[tuple[str, dict[str, float]]] = [("python, numpy, the question list", rss())]

    def step(name: str, action: Callable[[], object]) -> object:
        result = action()
        gc.collect()
        steps.append((name, rss()))
        return result

    def imports() -> None:
        import faiss  # noqa: F401
        import scipy.sparse  # noqa: F401

        import assistant.api.app
        import assistant.core
        import assistant.indexing.builder  # noqa: F401

    from assistant.settings import Settings

    settings = Settings(index_dir=args.index)

    def kiwi() -> None:
        from assistant.text.kiwi import shared_kiwi, use_default_words, use_multi_words

        use_multi_words(settings.dictionary.korean_multi_words)
        use_default_words(settings.dictionary.korean_default_words)
        shared_kiwi().tokenize("")

    def jieba() -> None:
        from assistant.text.morphemes import jieba_words

        jieba_words("元宇宙产业计划")

    def opencc() -> None:
        from assistant.languages import to_simplified, to_traditional

        to_simplified("元宇宙計畫")
        to_traditional("元宇宙计划")

    step("imports (server, FAISS, scipy…)", imports)
    step("kiwi", kiwi)
    step("jieba dictionary", jieba)
    step("OpenCC", opencc)
    from assistant.indexing.builder import open_retriever
    from assistant.retrieval.retriever import SearchOptions

    retriever: Any = step("open the index", lambda: open_retriever(settings))
    options = SearchOptions(top_k=20, per_document=1, min_score=0.0)
    step(f"{len(asked)} searches", lambda: [retriever.search(q, options) for q in asked])
    if args.answers:
        import asyncio
        import tempfile

        from assistant.conversations.base import create_store
        from assistant.core import Assistant
        from assistant.settings import ConversationSettings

        folder = Path(tempfile.mkdtemp(prefix="benchmark-memory-"))
        store = create_store(ConversationSettings(backend="sqlite", path=folder / "conversations.sqlite3"))
        assistant = Assistant(settings, retriever, None, store)

        async def answer_all() -> None:
            for question in asked[: args.answers]:
                await assistant.answer(question)

        step("warm-up (as serve does it)", lambda: asyncio.run(assistant.warm_up()))
        step(f"{min(args.answers, len(asked))} answers (extractive)", lambda: asyncio.run(answer_all()))
    from assistant.heap import release_free_memory

    step("malloc_trim (heap free, held)", release_free_memory)
    print(f"{'step':34} {'RSS MB':>8} {'+MB':>7} {'+anon':>7} {'+file':>7}")
    rows = []
    for (name, now), (_, before) in zip(steps[1:], steps[:-1], strict=True):
        delta = {key: now[key] - before[key] for key in now}
        figures = {f"{key}_mb": round(value, 1) for key, value in now.items()}
        figures.update({f"delta_{key}_mb": round(value, 1) for key, value in delta.items()})
        rows.append({"step": name, **figures})
        print(f"{name:34} {now['rss']:8.1f} {delta['rss']:7.1f} {delta['anon']:7.1f} {delta['file']:7.1f}")
    first = steps[0][1]
    print(f"{steps[0][0]:34} {first['rss']:8.1f} (start)")
    index = retriever.store.index
    parts = inventory(index)
    print(f"\nthe opened index ({len(index.passages)} passages): {'part':32} {'held MB':>8} {'mapped MB':>9}")
    for name, (held, mapped) in parts.items():
        print(f"{'':28}{name:32} {held:8.1f} {mapped:9.1f}")
    held = sum(h for h, _ in parts.values())
    mapped = sum(m for _, m in parts.values())
    print(f"{'':28}{'all':32} {held:8.1f} {mapped:9.1f}")
    if args.json:
        figures = {"steps": rows, "start": first, "index_parts_mb": parts, "passages": len(index.passages)}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
