"""``assistant config``: the effective settings (defaults, ``.env``, environment), secrets masked."""

from __future__ import annotations

import json
from typing import Any

import click
from pydantic import SecretStr

from ..settings import Settings
from .common import handle_errors, json_option, load_settings

MASK = "********"


@click.command("config")
@json_option
@handle_errors
def config(as_json: bool) -> None:
    """Print every setting in force, named as its environment variable (ASSISTANT_…), secrets masked.

    Values come from the defaults, then a .env file in the current folder, then the environment.
    """
    settings = load_settings()
    rows = effective_settings(settings)
    if as_json:
        click.echo(json.dumps(dict(rows), ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="effective settings (.env, then environment, over defaults)")
    table.add_column("variable", no_wrap=True)
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    Console().print(table)


def effective_settings(settings: Settings) -> list[tuple[str, Any]]:
    """(``ASSISTANT_…`` name, JSON-ready value) for every leaf setting; secrets are shown as a mask."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        fields = getattr(type(value), "model_fields", None)
        if fields is not None:
            for name in fields:
                walk(f"{prefix}__{name.upper()}" if prefix else name.upper(), getattr(value, name))
            return
        rows.append((f"ASSISTANT_{prefix}", _plain(value)))

    walk("", settings)
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
