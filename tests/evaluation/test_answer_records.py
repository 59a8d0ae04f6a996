"""Answers survive the trip to JSON and back whole, so cached answers score like fresh ones."""

from __future__ import annotations

import json

from assistant.evaluation.answer_metrics import summarize
from assistant.evaluation.answer_records import answer_from_dict, answer_to_dict
from assistant.evaluation.cases import CaseResult
from tests.evaluation.sample_results import sample_results


def test_every_field_round_trips_through_json() -> None:
    for result in sample_results():
        data = json.loads(json.dumps(answer_to_dict(result.answer), ensure_ascii=False))
        assert answer_from_dict(data) == result.answer


def test_restored_answers_give_the_same_metrics() -> None:
    results = sample_results()
    restored = [CaseResult(r.case, answer_from_dict(answer_to_dict(r.answer)), r.seconds) for r in results]
    assert summarize(restored) == summarize(results)
