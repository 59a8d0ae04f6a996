"""A self-contained HTML report of an evaluation run: tables, inline SVG plots and the worst cases in full.

One file, no scripts, no outside resources; every piece of text from the set, the corpus or a model is
escaped, so the report is safe to open whatever the answers contain.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from .answer_metrics import CROSS_LINGUAL, STAGES, is_cross_lingual
from .cases import CaseResult
from .markdown_summary import JUDGED_SHOWN, SHOWN, format_metric
from .result_file import CaseRow, EvaluationResult
from .svg_charts import bar_chart, histogram

RATES = (
    "recall@1",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "exact_match",
    "char_f1",
    "answer_contains",
    "citation_precision",
    "citation_recall",
    "abstention_accuracy",
)
_PASSAGE_CHARS = 300
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; vertical-align: top; }
th:first-child, td:first-child, .case td, .case th { text-align: left; }
figure { display: inline-block; margin: 0 1.5em 1.5em 0; }
.case { border: 1px solid #ccc; border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; }
.case h3 { margin: 0.2em 0; font-size: 1.05em; }
.bad { color: #b00020; } .good { color: #1b7f3b; } .muted { color: #666; font-size: 0.9em; }
blockquote { margin: 0.3em 0; padding: 0.3em 0.8em; background: #f6f6f6; border-left: 3px solid #bbb; }
"""


def _table(groups: dict[str, dict[str, float]], metrics: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in groups)
    rows = "".join(
        f"<tr><td>{escape(metric)}</td>"
        + "".join(f"<td>{format_metric(metric, values.get(metric))}</td>" for values in groups.values())
        + "</tr>"
        for metric in metrics
    )
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"


def _charts(result: EvaluationResult, results: Sequence[CaseResult]) -> str:
    groups = result.groups
    rates = bar_chart(
        "Metrics per group", RATES, {name: [values.get(m, 0.0) for m in RATES] for name, values in groups.items()},
        maximum=1.0,
    )  # fmt: skip
    overall = groups.get("overall", {})
    stages = bar_chart(
        "Latency per stage (overall)",
        STAGES,
        {q: [overall.get(f"{stage}_{q}_ms", 0.0) for stage in STAGES] for q in ("p50", "p95")},
        unit=" ms",
    )
    totals = histogram("Total latency per case", [r.answer.timings_ms.get("total", 0.0) for r in results])
    return "".join(f"<figure>{svg}</figure>" for svg in (rates, stages, totals))


def _flag(ok: bool, text: str) -> str:
    return f'<span class="{"good" if ok else "bad"}">{escape(text)}</span>'


def _case(row: CaseRow, result: CaseResult) -> str:
    case, answer = result.case, result.answer
    turns = "".join(
        f"<li><b>Q</b> {escape(asked)}<br><b>A</b> {escape(said)}</li>" for asked, said in case.conversation
    )
    earlier = f"<p class='muted'>Earlier turns:</p><ol>{turns}</ol>" if turns else ""
    citations = "".join(
        f"<tr><td>[{c.n}]</td><td>{escape(c.passage.document_id)}</td><td>{escape(c.passage.title)}</td>"
        f"<td>{_flag(c.supported, 'supported' if c.supported else 'unsupported')}</td>"
        f"<td>{escape(c.passage.text[:_PASSAGE_CHARS])}</td></tr>"
        for c in answer.citations
    )
    cited = f"<table>{citations}</table>" if citations else "<p class='muted'>No citations (abstained).</p>"
    ranking = ", ".join(escape(h.passage.document_id) for h in answer.hits[:5]) or "nothing retrieved"
    gold = ", ".join(escape(d) for d in (*case.gold_documents, *case.gold_passages)) or "none (unanswerable)"
    answers = " | ".join(escape(a) for a in case.answers) or "—"
    scores = (
        f"gold rank {row.gold_rank if row.gold_rank is not None else '—'} · "
        f"{_flag(row.answer_contains, 'contains answer' if row.answer_contains else 'no gold answer')} · "
        f"char F1 {row.char_f1:.2f} · EM {row.exact_match:.0f} · "
        + _flag(row.abstained != row.answerable, "abstained" if row.abstained else "answered")
        + (" · " + _flag(False, "fallback: " + answer.fallback_reason) if answer.fallback else "")
    )
    tags = f" <span class='muted'>[{escape(', '.join(case.tags))}]</span>" if case.tags else ""
    return (
        f"<div class='case'><h3>{escape(case.id)} <span class='muted'>{escape(case.language.value)}</span>{tags}</h3>"
        f"{earlier}<p><b>Question</b> {escape(case.question)}</p>"
        f"<p><b>Answer</b> <span class='muted'>({escape(answer.model)})</span></p><blockquote>{escape(answer.text)}"
        f"</blockquote><p>{scores}</p>{cited}<p><b>Gold</b> {gold}<br><b>Gold answers</b> {answers}<br>"
        f"<b>Top 5 retrieved</b> {ranking}</p></div>"
    )


def render_report(result: EvaluationResult, results: Sequence[CaseResult], worst: int = 20) -> str:
    """The report as one HTML page."""
    run = result.run
    title = f"Evaluation of {run.cases_file or 'a set'}"
    by_id = {r.case.id: r for r in results}
    troubled = (row for row in result.cases if row.problems and row.id in by_id)
    rows = sorted(troubled, key=lambda row: (is_cross_lingual(row.tags), -row.problems, row.char_f1, row.id))
    cases = "".join(_case(row, by_id[row.id]) for row in rows[:worst]) or "<p>Every case went well.</p>"
    metrics = [m for m in result.groups.get("overall", {}) if m not in SHOWN]
    judged = ""
    if result.judged:
        judged = (
            f"<h2>Judged by the model <code>{escape(run.model)}</code></h2><p class='muted'>A model's opinion of "
            f"faithfulness and correctness (0–1), kept apart from the measurements above.</p>"
            + _table(result.judged, JUDGED_SHOWN)
        )
    reused = f", {run.reused} answers from the cache" if run.reused else ""
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{run.cases} cases answered by <code>{escape(run.model)}</code> in {run.seconds:.1f} s{escape(reused)}. "
        f"<code>{escape(CROSS_LINGUAL)}</code> cases (answered only by documents in the other language) are kept "
        f"out of <i>overall</i> and the language groups.</p>"
        f"<h2>Metrics</h2>{_table(result.groups, SHOWN)}{_charts(result, results)}"
        f"<details><summary>All metrics</summary>{_table(result.groups, metrics)}</details>{judged}"
        f"<h2>Worst cases ({min(len(rows), worst)} of {len(rows)} with a problem)</h2>{cases}</body></html>"
    )


def write_report(folder: Path, result: EvaluationResult, results: Sequence[CaseResult], worst: int = 20) -> Path:
    """Write ``index.html`` into the folder (created if needed); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(render_report(result, results, worst), encoding="utf-8")
    return path
