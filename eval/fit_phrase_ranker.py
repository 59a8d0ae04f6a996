"""Fit the phrase ranker's weights (``assistant/answering/phrase_weights.json``) on the tuning halves of the dev sets.

    .venv/bin/python eval/fit_phrase_ranker.py [--datasets DIR] [--half first] [--l2 0.003] [--out FILE]

One index of KorQuAD 1.0 dev + DRCD dev + CMRC 2018 dev paragraphs (from ../shared/datasets, never copied into the
project) is built as ``assistant eval squad`` builds it, and each file's ``--half`` of the questions is answered by
the assistant in its default configuration. The sentences its phrase reader is given are recorded, cut into
candidate phrases (``phrase_features``), and each candidate is marked by its character F1 against the gold answers.
One set of weights per group (phrases of Korean sentences, of Chinese ones) is fitted as a conditional logit:
among a question's candidates, the probability of those with the best F1 (when it is above 0) is made as high as
it can be, with an L2 penalty. Questions the assistant declines, and those none of whose candidates shares a
character with a gold answer, teach nothing and are left out.

Fit on ``--half first`` only: ``assistant eval squad ... --half second`` is the held-out report. The figures each
group's fit reaches on its own training questions are printed, and written into the weights file beside the
weights with the command that made them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answering.phrase_features import PhraseCandidate, phrase_candidates  # noqa: E402
from assistant.answering.phrase_ranker import GROUPS, WEIGHTS, group_of  # noqa: E402
from assistant.answering.readers import Phrase  # noqa: E402
from assistant.conversations.base import create_store  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.embedding.base import create_embedder  # noqa: E402
from assistant.evaluation.answer_match import char_f1  # noqa: E402
from assistant.evaluation.squad import half_of, load_squad  # noqa: E402
from assistant.indexing.search_index import SearchIndex  # noqa: E402
from assistant.records import Language  # noqa: E402
from assistant.retrieval.retriever import Retriever  # noqa: E402
from assistant.settings import ConversationSettings, Settings  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
FILES = ["korquad_v1/KorQuAD_v1.0_dev.json", "drcd/DRCD_dev.json", "cmrc2018/cmrc2018_dev.json"]


class Recording:
    """A phrase reader that notes the sentences it is given, then reads as the wrapped one does."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.id = reader.id
        self.sentences: list[str] | None = None

    def read(self, question: str, sentences: Sequence[str], language: Language) -> Phrase | None:
        self.sentences = list(sentences)
        return self.reader.read(question, sentences, language)


def recorded(datasets: Path, half: str) -> list[tuple[str, list[str], list[str]]]:
    """(question, sentences read, gold answers) of every answered question of the half."""
    squad = load_squad([datasets / name for name in FILES])
    questions = half_of(squad.questions, half)
    settings = Settings()
    index = SearchIndex(settings, create_embedder(settings.embedder))
    started = time.perf_counter()
    index.add_documents(squad.documents)
    print(f"index: {len(index.passages)} passages in {time.perf_counter() - started:.0f} s", flush=True)
    assistant = Assistant(
        settings, Retriever(index, settings.retrieval), None, create_store(ConversationSettings(backend="memory"))
    )
    recorder = Recording(assistant.reader)
    assistant.reader = recorder
    found: list[tuple[str, list[str], list[str]]] = []

    async def ask_all() -> None:
        try:
            for n, question in enumerate(questions, start=1):
                recorder.sentences = None
                answer = await assistant.answer(question.text)
                if not answer.abstained and recorder.sentences:
                    found.append((question.text, recorder.sentences, [g for g in question.answers if g]))
                if n % 1000 == 0:
                    print(f"asked {n} of {len(questions)}", flush=True)
        finally:
            await assistant.aclose()

    asyncio.run(ask_all())
    return found


Example = tuple[list[PhraseCandidate], np.ndarray]  # one question's candidates and their F1


def examples(found: Sequence[tuple[str, list[str], list[str]]]) -> dict[str, list[Example]]:
    """Per group, each question's candidates and their F1 against the gold answers (questions that teach nothing
    left out)."""
    grouped: dict[str, list[Example]] = {group: [] for group in GROUPS}
    for question, sentences, golds in found:
        candidates = phrase_candidates(question, sentences)
        f1 = np.array([char_f1(c.text, golds) for c in candidates])
        if candidates and f1.max() > 0:
            grouped[group_of(sentences[0])].append((candidates, f1))
    return grouped


def fit(questions: Sequence[Example], l2: float) -> tuple[dict[str, float], dict[str, float]]:
    """The conditional logit's weights by feature name, and what they reach on these questions."""
    names = sorted({name for candidates, _ in questions for c in candidates for name in c.features})
    column = {name: i for i, name in enumerate(names)}
    data = []
    for candidates, f1 in questions:
        x = np.zeros((len(candidates), len(names)))
        for row, candidate in enumerate(candidates):
            for name, value in candidate.features.items():
                x[row, column[name]] = value
        data.append((x, f1 >= f1.max() - 1e-9, f1))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, best, _ in data:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * best
            mass = q.sum()
            total -= float(np.log(mass + 1e-300))
            grad -= x.T @ (q / mass - p)
        return (total + l2 * float(w @ w)) / len(data), (grad + 2 * l2 * w) / len(data)

    result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w = result.x
    chosen = [f1[int(np.argmax(x @ w))] for x, _, f1 in data]
    reached = {
        "questions": len(data),
        "char_f1_of_chosen": round(float(np.mean(chosen)), 4),
        "best_possible": round(float(np.mean([f1.max() for _, _, f1 in data])), 4),
    }
    return {name: round(float(value), 5) for name, value in zip(names, w, strict=True) if abs(value) >= 1e-5}, reached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=Path, default=DATASETS, help="folder of the shared dev sets")
    parser.add_argument("--half", default="first", choices=["first"], help="the tuning half (never the second)")
    parser.add_argument("--l2", type=float, default=0.003, help="L2 penalty on the weights, beside the summed loss")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="weights file to write")
    parser.add_argument(
        "--cache",
        type=Path,
        help="file of the recorded sentences: read when it exists, else written (keep it outside the project: "
        "it holds the sets' text)",
    )
    args = parser.parse_args()
    if args.cache is not None and args.cache.exists():
        found = json.loads(args.cache.read_text(encoding="utf-8"))
    else:
        found = recorded(args.datasets, args.half)
        if args.cache is not None:
            args.cache.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    grouped = examples(found)
    table: dict[str, Any] = {
        "fitted_by": f"eval/fit_phrase_ranker.py --half {args.half} --l2 {args.l2}",
        "fitted_on": "each file's first half of KorQuAD 1.0 dev, DRCD dev and CMRC 2018 dev (answered questions)",
    }
    for group in GROUPS:
        weights, reached = fit(grouped[group], args.l2)
        print(f"{group}: {reached}", flush=True)
        table[f"{group}_fit"] = reached
        table[group] = weights
    args.out.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
