"""``assistant ask`` and ``assistant chat``: cited answers from the command line."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import handle_errors, index_option, json_option, load_settings, stderr_console

if TYPE_CHECKING:
    from ..core import Assistant
    from ..records import Answer
    from ..settings import Settings

model_option = click.option(
    "--model", "model_name", default=None,
    help="Answer composer: extractive (default, no model), openai, ollama, transformers (ASSISTANT_MODEL__NAME).",
)  # fmt: skip
EXCERPT_CHARS = 120
top_k_option = click.option("-k", "--top-k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve.")


def _assistant(index_dir: Path | None, model_name: str | None) -> Assistant:
    from ..core import Assistant

    settings: Settings = load_settings(index_dir=index_dir)
    if model_name:
        settings.model.name = model_name
    with stderr_console().status(f"Opening the index in {settings.index_dir}…"):
        return Assistant.from_settings(settings)


@click.command("ask")
@click.argument("question")
@index_option
@click.option("-c", "--conversation", "conversation_id", default=None, help="Continue this conversation.")
@top_k_option
@model_option
@json_option
@handle_errors
def ask(
    question: str, index_dir: Path | None, conversation_id: str | None, top_k: int | None, model_name: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Answer QUESTION from the indexed documents, citing every sentence as [n].

    Prints the short answer (→ 044-202-6352) when there is one, the answer, then the numbered sources; when
    the documents do not answer, says so and lists related documents instead of sources. Pass the
    conversation id printed at the end with --conversation to ask a follow-up ("그럼 전화번호는?", "那首爾呢？").
    """
    assistant = _assistant(index_dir, model_name)
    try:
        # the first question loads the Korean and Chinese analysers (a few seconds): say so while it waits
        with stderr_console().status("Reading the documents (the first question loads the analysers)…"):
            answer = assistant.ask(question, conversation_id, top_k=top_k)
    finally:
        asyncio.run(assistant.aclose())
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    print_answer(answer)
    _print_status(answer)


@click.command("chat")
@index_option
@top_k_option
@model_option
@click.option("-c", "--conversation", "conversation_id", default=None, help="Resume this conversation.")
@handle_errors
def chat(index_dir: Path | None, top_k: int | None, model_name: str | None, conversation_id: str | None) -> None:
    """Talk with your documents: answers stream as they are written, follow-up questions keep context.

    Type a question and press Enter. /new starts a new conversation, /quit (or Ctrl-D) leaves.
    """
    assistant = _assistant(index_dir, model_name)
    with stderr_console().status("Loading the Korean and Chinese analysers, so the first answer comes quickly…"):
        asyncio.run(assistant.warm_up())
    asyncio.run(_chat_loop(assistant, top_k, conversation_id))


async def _chat_loop(assistant: Assistant, top_k: int | None, conversation_id: str | None) -> None:
    from ..answering.events import Delta, Done, Fallback, Retrieved
    from ..errors import InvalidQueryError

    interactive = sys.stdin.isatty()
    if interactive:
        click.secho("Ask about your documents. /new starts over, /quit leaves.", fg="cyan", err=True)
    try:
        while True:
            if interactive:
                click.echo("> ", nl=False, err=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            question = line.strip()
            if question in ("/quit", "/exit"):
                break
            if question == "/new":
                conversation_id = None
                click.secho("(new conversation)", fg="cyan", err=True)
                continue
            if not question:
                continue
            try:
                async for event in assistant.stream(question, conversation_id, top_k=top_k):
                    if isinstance(event, Retrieved):
                        conversation_id = event.conversation_id
                    elif isinstance(event, Delta):
                        click.echo(event.text, nl=False)
                    elif isinstance(event, Fallback):
                        click.secho(
                            f"\n(the model failed: {event.reason}; answering from the passages)", fg="yellow", err=True
                        )
                    elif isinstance(event, Done):
                        click.echo()
                        _print_short_answer(event.answer)  # the text streamed already: the phrase sums it up
                        _print_sources(event.answer)
                        _print_related(event.answer)
                        _print_status(event.answer, conversation=False)
            except InvalidQueryError as error:
                click.secho(f"error: {error}", fg="red", err=True)
    finally:
        await assistant.aclose()
    if conversation_id:
        click.secho(f"conversation: {conversation_id}", fg="cyan", err=True)


def print_answer(answer: Answer) -> None:
    """The answer as ``ask`` prints it: the short answer, the text, then its sources or the related documents."""
    _print_short_answer(answer)
    click.echo(answer.text)
    _print_sources(answer)
    _print_related(answer)


def _print_short_answer(answer: Answer) -> None:
    """``→ PHRASE`` in bold: the phrase that answers the question, when there is one."""
    if answer.short_answer and not answer.abstained:
        click.secho(f"→ {answer.short_answer}", bold=True)


def _print_sources(answer: Answer) -> None:
    """The numbered sources under an answer: title, section, link and the supporting text."""
    if not answer.citations or answer.abstained:
        return
    click.echo()
    for citation in answer.citations:
        passage = citation.passage
        where = " · ".join(part for part in (passage.title, passage.section) if part)
        flag = "" if citation.supported else "  (not supported by this passage)"
        click.echo(f"[{citation.n}] {where}{flag}")
        if passage.source:
            click.echo(f"    {passage.source}")
        quote = passage.text[citation.start - passage.start : citation.end - passage.start]
        click.echo(f"    “{quote.strip()}” ({passage.document_id}, chars {citation.start}–{citation.end})")


def _print_related(answer: Answer) -> None:
    """When the documents do not answer: the closest passages, unnumbered (they are not sources)."""
    if not answer.abstained or not answer.related:
        return
    click.echo()
    click.secho("Related documents:", bold=True)
    for hit in answer.related:
        passage = hit.passage
        where = " · ".join(part for part in (passage.title or passage.document_id, passage.section) if part)
        click.echo(f"  - {where}")
        if passage.source:
            click.echo(f"    {passage.source}")
        click.echo(f"    “{_excerpt(passage.text)}” ({passage.document_id})")


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a passage on one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _print_status(answer: Answer, conversation: bool = True) -> None:
    """Fallback, grounding and the conversation id, on stderr."""
    if answer.fallback:
        click.secho(f"note: the model failed ({answer.fallback_reason}); this answer was extracted instead.",
                    fg="yellow", err=True)  # fmt: skip
    elif answer.citations and not answer.grounded:
        click.secho("note: some sentences are not supported by the cited passages.", fg="yellow", err=True)
    if conversation and answer.conversation_id:
        click.secho(f"conversation: {answer.conversation_id} (follow up with --conversation {answer.conversation_id})",
                    fg="cyan", err=True)  # fmt: skip
