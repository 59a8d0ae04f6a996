"""``assistant eval run``: an evaluation set through the same ``Assistant`` the server uses."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import handle_errors, index_option, load_settings, progress_bar

if TYPE_CHECKING:
    from ..core import Assistant
    from ..evaluation.cases import Case, CaseResult
    from ..evaluation.judged_metrics import Judgment
    from ..evaluation.run_cache import RunCache

CACHE_FOLDER = ".eval-cache"
FAILED_GATE = 1


@click.command("run")
@click.argument("cases_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@index_option
@click.option("--model", "model_name", default=None, help="Answer composer to evaluate (ASSISTANT_MODEL__NAME).")
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the metrics (per group, per case) as JSON to this file.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write a self-contained HTML report with plots and the worst cases into this folder.",
)
@click.option(
    "--compare",
    "baseline_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Compare with this result file; exit 1 when a metric drops beyond the tolerance.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Largest drop of a rate (0–1) that --compare lets pass.",
)
@click.option(
    "--latency-tolerance",
    "latency_factor",
    type=click.FloatRange(min=1),
    default=None,
    help="Also fail --compare when a latency exceeds this many times the baseline's (not gated by default).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"Keep answers here to resume an interrupted run (default with a model backend: {CACHE_FOLDER}/ "
    "beside the index folder; none for the extractive composer).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor keep cached answers.")
@click.option("--fresh", is_flag=True, help="Ignore cached answers (and replace them with this run's).")
@click.option(
    "--judge/--no-judge",
    default=None,
    help="Also have the model judge faithfulness and correctness (default: when a model backend is set).",
)
@handle_errors
def run(
    cases_file: Path,
    index_dir: Path | None,
    model_name: str | None,
    json_file: Path | None,
    report_dir: Path | None,
    baseline_file: Path | None,
    tolerance: float,
    latency_factor: float | None,
    cache_dir: Path | None,
    no_cache: bool,
    fresh: bool,
    judge: bool | None,
) -> None:
    """Answer every case of CASES_FILE (JSONL, see eval/README.md) and print the metrics per language.

    Retrieval (recall@k, MRR, nDCG), answers (exact match and character F1 after Korean/Chinese
    normalisation, answer-contains), citations (precision, recall, unsupported share), abstention on
    unanswerable cases, fallbacks and latency per stage. With a model backend, answers are cached so an
    interrupted run resumes where it stopped, and the model also judges faithfulness and correctness
    (reported apart). Conversations are kept in memory so the run leaves no trace in the conversation store.
    Exit status 1 when --compare finds a drop beyond the tolerance.
    """
    from ..core import Assistant
    from ..errors import ConfigurationError
    from ..evaluation.baseline_compare import compare
    from ..evaluation.cases import load_cases
    from ..evaluation.html_report import write_report
    from ..evaluation.markdown_summary import comparison_markdown, metrics_markdown
    from ..evaluation.result_file import RunInfo, evaluation_result, read_result, write_result
    from ..evaluation.run_cache import RunCache, index_identity, settings_fingerprint

    settings = load_settings(index_dir=index_dir)
    if model_name:
        settings.model.name = model_name
    settings.conversations.backend = "memory"
    cases = load_cases(cases_file)
    baseline = read_result(baseline_file) if baseline_file else None
    assistant = Assistant.from_settings(settings)
    judging = assistant.uses_model if judge is None else judge
    if judging and not assistant.uses_model:
        raise ConfigurationError(
            "--judge needs a language model: set ASSISTANT_MODEL__NAME (or --model) to openai, ollama or transformers."
        )
    fingerprint = settings_fingerprint(settings, index_identity(assistant.retriever.store.manifest()))
    if not no_cache and (cache_dir or assistant.uses_model):
        folder = cache_dir or settings.index_dir.absolute().parent / CACHE_FOLDER
        cache: RunCache | None = RunCache(folder, fingerprint, fresh=fresh)
    else:
        cache = None

    try:
        results, judgments, seconds = asyncio.run(_answer_and_judge(assistant, cases, cache, judging))
    except KeyboardInterrupt:
        if cache:
            cache.close()
            click.echo(f"interrupted: answers so far are kept in {cache.path}; run the same command to resume.",
                       err=True)  # fmt: skip
        sys.exit(130)
    finally:
        if cache:
            cache.close()

    judged = None
    if judgments is not None:
        from ..evaluation.judged_metrics import summarize_judgments

        judged = summarize_judgments(results, judgments)
    info = RunInfo(str(cases_file), assistant.model.id, len(results), cache.reused if cache else 0,
                   round(seconds, 2), fingerprint)  # fmt: skip
    result = evaluation_result(results, info, judged)
    if json_file:
        write_result(result, json_file)
    if report_dir:
        click.echo(f"report: {write_report(report_dir, result, results)}", err=True)
    click.echo(metrics_markdown(result))
    if baseline is not None:
        comparison = compare(result, baseline, tolerance, latency_factor)
        click.echo(f"\n## Compared with {baseline_file}\n\n{comparison_markdown(comparison)}")
        if not comparison.passed:
            click.echo(f"If the change is intended, write a new baseline with --json {baseline_file}.", err=True)
            sys.exit(FAILED_GATE)


async def _answer_and_judge(
    assistant: Assistant, cases: list[Case], cache: RunCache | None, judging: bool
) -> tuple[list[CaseResult], list[Judgment] | None, float]:
    """Every case's answer, then (when judging) the model's judgment of each, and the seconds they took.

    A warm-up first loads the tokenizers, so the first case's latency is not that of a cold start.
    """
    from ..evaluation.cases import run_cases
    from ..evaluation.judged_metrics import judge_all

    try:
        await assistant.warm_up()
        started = time.perf_counter()
        with progress_bar("answering cases") as (set_total, advance):
            set_total(len(cases))
            results = await run_cases(assistant, cases, on_result=lambda _: advance(1), cache=cache)
        if not judging:
            return results, None, time.perf_counter() - started
        with progress_bar("judging answers") as (set_total, advance):
            set_total(len(results))
            deadline = assistant.settings.answer.deadline
            judgments = await judge_all(
                assistant.model, results, deadline=deadline, cache=cache, on_judged=lambda _: advance(1)
            )
        return results, judgments, time.perf_counter() - started
    finally:
        await assistant.aclose()
