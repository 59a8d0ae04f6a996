"""What every command shares: settings loading, error handling, common options, output helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from ..errors import AssistantError
from ..settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line options on top, and the corpus folder worked out
    (the one the index was built from unless one was given)."""
    from ..indexing.corpus_location import corpus_folder

    settings = Settings()
    for key, value in overrides.items():
        if value is not None:
            setattr(settings, key, value)
    settings.corpus_dir = corpus_folder(settings)
    return settings


def handle_errors(command: F) -> F:
    """Turn our errors (and bad settings) into one line on stderr and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AssistantError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            sys.exit(2)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            click.secho(f"error: invalid settings ({problems}). Check the ASSISTANT_* variables.", fg="red", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def stderr_console() -> Any:
    """A rich console on stderr (progress bars and logs stay out of stdout, which carries results)."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def progress_bar(
    description: str, enabled: bool = True
) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """(set_total, advance) callbacks driving a rich progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr_console(), disable=not enabled, transient=False,
    )  # fmt: skip
    task = progress.add_task(description, total=None)
    with progress:
        yield (
            lambda total: progress.update(task, total=total),
            lambda step: progress.advance(task, step),
        )


index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Index folder (default: ASSISTANT_INDEX_DIR or ./index).",
)  # fmt: skip
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")
