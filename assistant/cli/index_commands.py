"""``assistant index …`` and ``assistant search``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import handle_errors, index_option, json_option, load_settings, progress_bar, stderr_console


@click.group("index")
def index_group() -> None:
    """Build, update and inspect the index."""


@index_group.command("build")
@click.option(
    "--corpus", "corpus_dir", type=click.Path(path_type=Path), default=None,
    help="Folder of documents (default: ASSISTANT_CORPUS_DIR, else the folder the index was built from, else "
    "corpus/ beside the index).",
)  # fmt: skip
@index_option
@click.option("--full", is_flag=True, help="Rebuild everything instead of processing only changed documents.")
@json_option
@handle_errors
def build(corpus_dir: Path | None, index_dir: Path | None, full: bool, as_json: bool) -> None:
    """Read the corpus into the index (only new, changed and deleted documents unless --full).

    The new index is written beside the old one and swapped in when complete, so an interrupted
    build leaves the previous index serving.
    """
    from ..indexing.builder import build_index

    settings = load_settings(corpus_dir=corpus_dir, index_dir=index_dir)
    with progress_bar("indexing documents", enabled=not as_json) as (set_total, advance):
        report = build_index(settings, full=full, on_total=set_total, progress=advance)
    if as_json:
        click.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
        return
    _print_report(report)


@index_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@index_option
@handle_errors
def add(files: tuple[Path, ...], index_dir: Path | None) -> None:
    """Add or replace the documents in FILES without rebuilding the rest."""
    from ..indexing.builder import add_files

    settings = load_settings(index_dir=index_dir)
    _print_report(add_files(settings, list(files)))


@index_group.command("remove")
@click.argument("document_ids", nargs=-1, required=True)
@index_option
@handle_errors
def remove(document_ids: tuple[str, ...], index_dir: Path | None) -> None:
    """Remove documents by id (a file's id is its name without the extension)."""
    from ..indexing.builder import remove_documents

    settings = load_settings(index_dir=index_dir)
    _print_report(remove_documents(settings, list(document_ids)))


@index_group.command("info")
@index_option
@json_option
@handle_errors
def info(index_dir: Path | None, as_json: bool) -> None:
    """Show what the current index holds and was built with and from: documents, passages per language,
    chunking, embedder, keyword fields with their analysers' versions, build time, corpus folder, size on disk."""
    from .index_info import print_summary, summarize, summarize_store

    settings = load_settings(index_dir=index_dir)
    summary = summarize(settings.index_dir) if settings.store.backend == "local" else summarize_store(settings)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    print_summary(summary)


@click.command("search")
@click.argument("query")
@click.option("-k", "--top-k", type=click.IntRange(1, 200), default=None, help="How many passages (default 5).")
@click.option("--per-document", type=click.IntRange(1, 100), default=None, help="At most N passages per document.")
@index_option
@json_option
@handle_errors
def search(query: str, top_k: int | None, per_document: int | None, index_dir: Path | None, as_json: bool) -> None:
    """Find the passages that best match QUERY (Korean, Traditional or Simplified Chinese)."""
    from ..indexing.builder import open_retriever
    from ..retrieval.retriever import SearchOptions

    settings = load_settings(index_dir=index_dir)
    hits = open_retriever(settings).search(query, SearchOptions(top_k=top_k, per_document=per_document))
    if as_json:
        click.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("Nothing relevant found in the documents.")
        return
    for n, hit in enumerate(hits, start=1):
        p = hit.passage
        heading = f"[{n}] {p.title}" + (f" › {p.section}" if p.section else "")
        click.secho(heading, bold=True)
        click.echo(f"    {p.document_id} {p.start}–{p.end} · {p.language.value} · score {hit.score:.3f}")
        if p.source:
            click.echo(f"    {p.source}")
        snippet = (p.text if len(p.text) <= 240 else p.text[:240] + "…").replace("\n", "\n    ")
        click.echo(f"    {snippet}\n")


def _languages(languages: dict[str, int]) -> str:
    return "(" + ", ".join(f"{k}: {v}" for k, v in languages.items()) + ")" if languages else ""


def _print_report(report: object) -> None:
    from ..indexing.builder import BuildReport

    assert isinstance(report, BuildReport)
    console = stderr_console()
    for reason in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {reason}", markup=True, highlight=False)
    click.echo(
        f"{report.mode}: {report.documents} documents, {report.passages} passages "
        f"{_languages(report.languages)} in {report.seconds:.1f}s"
    )
    click.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"skipped {len(report.skipped)}"
    )
    if report.folder:
        click.echo(f"written to {report.folder}")
