"""The fitted phrase ranker: its weights file, its choice, and the fit that makes the weights."""

import numpy as np
import pytest

from assistant.answering import phrase_ranker
from assistant.answering.phrase_features import PhraseCandidate, phrase_candidates
from assistant.answering.phrase_ranker import GROUPS, best_phrase, fitted_weights, score


def test_the_weights_file_has_both_groups_and_says_how_it_was_fitted() -> None:
    import json

    table = json.loads(phrase_ranker.WEIGHTS.read_text(encoding="utf-8"))
    assert table["fitted_by"].startswith("eval/fit_phrase_ranker.py --half first")
    weights = fitted_weights()
    for group in GROUPS:
        assert len(weights[group]) > 20
        assert table[f"{group}_fit"]["questions"] > 1000
    # the weights name features the candidates carry: a renamed feature would silently count for nothing
    found = phrase_candidates("港口试验何时启动？", ["港口试验于2023年4月启动，总共投入45亿韩元。"])
    names = {name for candidate in found for name in candidate.features}
    assert {"left", "right", "said", "in_date", "kind:date:date"} <= names
    assert {"left", "right", "said", "in_date", "kind:date:date"} <= weights["chinese"].keys()


def test_the_best_scoring_candidate_is_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = ["축제는 5월에 열린다.", "축제는 9월에 열렸다."]
    found = phrase_candidates("축제는 몇 월에 열리나?", sentences)
    weights = {"korean": {"rank1": 5.0}, "chinese": {}}
    monkeypatch.setattr(phrase_ranker, "fitted_weights", lambda: weights)
    phrase = best_phrase("축제는 몇 월에 열리나?", sentences)
    assert phrase is not None and phrase.sentence == 1  # the weights, not the order, decide
    best = max(found, key=lambda c: (score(c, weights["korean"]), -c.sentence))
    assert phrase.text == best.text == sentences[1][phrase.start : phrase.end]


def test_score_sums_the_weighted_features() -> None:
    candidate = PhraseCandidate(0, 0, 2, "5월", {"left": 0.5, "near": 1.0, "unknown": 3.0})
    assert score(candidate, {"left": 2.0, "near": -1.0}) == pytest.approx(0.0)


def test_the_fit_ranks_the_best_matching_candidate_first() -> None:
    from eval.fit_phrase_ranker import fit

    def candidate(**features: float) -> PhraseCandidate:
        return PhraseCandidate(0, 0, 1, "x", features)

    # the right phrase stands close to the question's words; its rivals are longer or farther
    questions = [
        (
            [candidate(near=1.0, length=0.2 + 0.1 * (i % 3)), candidate(near=0.3, length=0.5), candidate(length=0.1)],
            np.array([1.0, 0.2, 0.0]),
        )
        for i in range(30)
    ]
    weights, reached = fit(questions, l2=0.01)
    assert weights["near"] > 0 and reached["char_f1_of_chosen"] == 1.0
