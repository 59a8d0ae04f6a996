"""The HTML report and its SVG charts: self-contained, escaped, and drawn to scale."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from assistant.evaluation.cases import Case
from assistant.evaluation.html_report import write_report
from assistant.evaluation.result_file import RunInfo, evaluation_result
from assistant.evaluation.svg_charts import bar_chart, histogram, nice_ceiling
from assistant.records import Language
from tests.evaluation.sample_results import OTHER, result, sample_results

HOSTILE = '<script>alert("x")</script>'


def test_bars_are_drawn_to_scale_with_escaped_labels() -> None:
    svg = bar_chart("rates <1>", ["recall@1", "a&b"], {"ko": [0.5, 1.0], "<zh>": [0.25, 0.0]}, maximum=1.0)
    tree = ElementTree.fromstring(svg)  # well-formed XML, so every label was escaped
    heights = [float(rect.get("height", "0")) for rect in tree.iter("{http://www.w3.org/2000/svg}rect")
               if rect.find("{http://www.w3.org/2000/svg}title") is not None]  # fmt: skip
    assert heights == [90.0, 45.0, 180.0, 0.0]  # ko then <zh> for each category; the plot is 180 high
    assert "&lt;zh&gt;" in svg and "a&amp;b" in svg and "<zh>" not in svg


def test_histogram_counts_and_keeps_outliers_in_the_last_bar() -> None:
    svg = histogram("latency", [1.0, 1.5, 2.0, 3.0, 4.0] * 4 + [5000.0], bins=10)
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert len(titles) == 10
    counts = [int(t.rsplit(": ", 1)[1]) for t in titles]
    assert sum(counts) == 21 and counts[-1] == 1 and "or more" in titles[-1]
    assert "everything above" in svg
    assert nice_ceiling(0.0) == 1.0 and nice_ceiling(7.0) == 10.0 and nice_ceiling(120.0) == 200.0


def test_the_report_is_one_escaped_page_with_plots_and_the_worst_cases(tmp_path: Path) -> None:
    hostile = Case("ko-evil", f"질문 {HOSTILE}", Language.KOREAN, True, (f"답 {HOSTILE}",), ("elsewhere",),
                   conversation=((HOSTILE, HOSTILE),))  # fmt: skip
    results = [*sample_results(), result(hostile, f"답 {HOSTILE} [1]", (OTHER,))]
    run = RunInfo("set <1>.jsonl", "extractive", len(results), 0, 0.5, "abc")
    report = evaluation_result(results, run, {"overall": {"faithfulness": 0.75}})
    path = write_report(tmp_path / "report", report, results)
    page = path.read_text(encoding="utf-8")
    assert path.name == "index.html" and page.startswith("<!DOCTYPE html>")
    assert HOSTILE not in page and "&lt;script&gt;" in page and "set &lt;1&gt;.jsonl" in page
    assert page.count("<svg") == 3 and "<script" not in page
    assert not re.search(r"(src|href)=", page)  # nothing loaded from elsewhere
    assert "Judged by the model" in page and "0.750" in page
    worst = re.findall(r"<div class='case'><h3>([\w-]+)", page)
    # Most problems first, the ko→zh cases (expected to fail offline) last, cases without a problem left out.
    assert worst == ["ko-budget", "ko-evil", "ko-none", "ko-cross"]
