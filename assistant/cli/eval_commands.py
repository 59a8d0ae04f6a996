"""``assistant eval …``: measure retrieval and extractive answers on public benchmark files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import handle_errors, json_option, load_settings, progress_bar

_METRICS = (
    "recall@1",
    "recall@5",
    "recall@20",
    "mrr@10",
    "ndcg@10",
    "answer_hit",
    "answer_chars",
    "exact_match",
    "char_f1",
    "answered",
    "query_p50_ms",
    "query_p95_ms",
    "questions",
)


@click.group("eval")
def eval_group() -> None:
    """Evaluate the assistant offline."""


@eval_group.command("squad")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Ask only the first N questions.")
@click.option(
    "--half",
    type=click.Choice(["first", "second"]),
    default=None,
    help="Ask only the first or the second half of each file's questions (tune on one, report the other).",
)
@json_option
@handle_errors
def squad(files: tuple[Path, ...], limit: int | None, half: str | None, as_json: bool) -> None:
    """Retrieval and extractive-answer metrics on SQuAD-style FILES (KorQuAD, DRCD, CMRC).

    Every unique paragraph of all FILES goes into one temporary index built with the settings in
    force; each question's gold paragraph is looked for in the ranking, and each is answered the
    default way (extractive composer). Prints recall@1/5/20, MRR@10, nDCG@10, answer_hit (share of
    answers holding a gold answer text), answer_chars (mean answer length), exact_match and char_f1
    of the answer phrase, answered (share not declined), build time, query latency and peak memory,
    per file and overall.
    """
    from ..evaluation.squad import evaluate_squad, half_of, load_squad

    settings = load_settings()
    dataset = load_squad(list(files))
    count = len(half_of(dataset.questions, half)) if half else len(dataset.questions)
    asked = min(limit, count) if limit else count
    with progress_bar("building index, then asking", enabled=not as_json) as (set_total, advance):
        set_total(len(dataset.documents) + asked)
        result = evaluate_squad(dataset, settings, limit=limit, on_build=advance, on_question=advance, half=half)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = [(name, values) for name, values in result["per_file"].items()] + [("overall", result)]
    header = f"{'':<22}" + "".join(f"{m:>14}" for m in _METRICS)
    click.echo(header)
    for name, values in rows:
        click.echo(f"{name[:22]:<22}" + "".join(f"{values[m]:>14}" for m in _METRICS))
    click.echo(
        f"\nindex: {result['passages']} passages from {result['documents']} paragraphs in "
        f"{result['index_seconds']}s ({result['passages_per_second']} passages/s); "
        f"peak memory {result['peak_memory_mb']} MB"
    )
