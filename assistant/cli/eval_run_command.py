"""``assistant eval run``: an evaluation set through the same ``Assistant`` the server uses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from .common import handle_errors, index_option, load_settings, progress_bar

_SHOWN = (
    ("cases", "{:.0f}"),
    ("recall@1", "{:.3f}"),
    ("recall@5", "{:.3f}"),
    ("mrr@10", "{:.3f}"),
    ("answer_contains", "{:.3f}"),
    ("citation_precision", "{:.3f}"),
    ("citation_recall", "{:.3f}"),
    ("unsupported_citation_rate", "{:.3f}"),
    ("abstention_accuracy", "{:.3f}"),
    ("fallback_rate", "{:.3f}"),
    ("total_p50_ms", "{:.1f}"),
    ("total_p95_ms", "{:.1f}"),
)


@click.command("run")
@click.argument("cases_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@index_option
@click.option("--model", "model_name", default=None, help="Answer composer to evaluate (ASSISTANT_MODEL__NAME).")
@click.option("--json", "json_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the metrics as JSON to this file.")  # fmt: skip
@handle_errors
def run(cases_file: Path, index_dir: Path | None, model_name: str | None, json_file: Path | None) -> None:
    """Answer every case of CASES_FILE (JSONL, see eval/README.md) and print the metrics per language.

    Retrieval (recall@k, MRR), answers (answer-contains), citations (precision, recall, unsupported
    share), abstention on unanswerable cases, fallbacks and latency. Conversations are kept in memory
    so the run leaves no trace in the conversation store.
    """
    from ..core import Assistant
    from ..evaluation.answer_metrics import summarize_by_group
    from ..evaluation.cases import load_cases, run_cases

    settings = load_settings(index_dir=index_dir)
    if model_name:
        settings.model.name = model_name
    settings.conversations.backend = "memory"
    cases = load_cases(cases_file)
    assistant = Assistant.from_settings(settings)

    async def main() -> list:
        with progress_bar("answering cases") as (set_total, advance):
            set_total(len(cases))
            try:
                return await run_cases(assistant, cases, on_result=lambda _: advance(1))
            finally:
                await assistant.aclose()

    groups = summarize_by_group(asyncio.run(main()))
    if json_file:
        json_file.write_text(json.dumps(groups, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(_markdown(groups))


def _markdown(groups: dict[str, dict[str, float]]) -> str:
    names = list(groups)
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key, form in _SHOWN:
        lines.append(f"| {key} | " + " | ".join(form.format(groups[g].get(key, 0.0)) for g in names) + " |")
    return "\n".join(lines)
