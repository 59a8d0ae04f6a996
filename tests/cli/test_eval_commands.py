"""``assistant eval squad`` reports the default answers' figures beside the retrieval ones."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run

# Written for this test (not taken from any dataset).
DATA = {
    "version": "tiny",
    "data": [
        {"title": "绿洲图书馆", "paragraphs": [
            {"context": "绿洲图书馆建于二〇一〇年。馆内共有藏书十五万册，读者可以免费借阅。",
             "qas": [{"id": "a", "question": "绿洲图书馆有多少册藏书？",
                      "answers": [{"text": "十五万册", "answer_start": 19}]}]},
            {"context": "푸른숲 수목원은 2015년에 개장했다. 수목원에는 약 3천 종의 식물이 자란다.",
             "qas": [{"id": "b", "question": "푸른숲 수목원은 몇 년에 개장했나?",
                      "answers": [{"text": "2015년", "answer_start": 9}]}]},
        ]},
    ],
}  # fmt: skip


def test_eval_squad_reports_answer_hit_and_answer_chars(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    result = run("eval", "squad", str(path), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["answer_hit"] == 1.0 and metrics["per_file"]["tiny"]["answer_hit"] == 1.0
    assert 0 < metrics["answer_chars"] <= 200
    table = run("eval", "squad", str(path))
    assert table.returncode == 0, table.stderr
    header = table.stdout.splitlines()[0]
    assert "answer_hit" in header and "answer_chars" in header
