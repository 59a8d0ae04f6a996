"""``assistant keys``: create, list and revoke the service's API keys (reader or admin)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import handle_errors, json_option, load_settings

if TYPE_CHECKING:
    from ..access_keys import KeyFile

keys_file_option = click.option(
    "--file", "keys_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Key file (default: ASSISTANT_API__KEYS_FILE or data/api-keys.json).",
)  # fmt: skip


@click.group("keys")
def keys_group() -> None:
    """Manage API keys: readers ask and search; admins also add and delete documents and read metrics.

    \b
    Keys are stored as SHA-256 digests only; a new key is printed once. A running service picks up
    new and revoked keys within a second. Examples:
      assistant keys create --role reader --name web-page
      assistant keys list
      assistant keys revoke web-page
    """


def _key_file(keys_file: Path | None) -> KeyFile:
    from ..access_keys import KeyFile

    return KeyFile(keys_file or load_settings().api.keys_file)


@keys_group.command("create")
@click.option("--role", type=click.Choice(["reader", "admin"]), default="reader", show_default=True,
              help="reader: ask, search, own conversations; admin: also documents and metrics.")  # fmt: skip
@click.option("--name", default="", help="A label to recognise the key by (and revoke it by).")
@keys_file_option
@json_option
@handle_errors
def create(role: str, name: str, keys_file: Path | None, as_json: bool) -> None:
    """Make a new key and print it once (it cannot be shown again)."""
    from ..access_keys import Role

    store = _key_file(keys_file)
    key, record = store.create(Role(role), name)
    if as_json:
        click.echo(json.dumps({"key": key, "id": record.id, "name": record.name, "role": record.role.value}))
        return
    click.echo(key)
    click.secho(
        f"created {record.role.value} key '{record.name}' (id {record.id}) in {store.path}. Copy it now: it is "
        "stored as a digest and cannot be shown again. Send it as 'Authorization: Bearer KEY'.",
        fg="cyan", err=True,
    )  # fmt: skip


@keys_group.command("list")
@keys_file_option
@json_option
@handle_errors
def list_keys(keys_file: Path | None, as_json: bool) -> None:
    """The keys in the key file (ids, names, roles, when made and revoked), never the keys themselves."""
    store = _key_file(keys_file)
    records = store.records()
    if as_json:
        rows = [
            {"id": r.id, "name": r.name, "role": r.role.value, "created_at": r.created_at, "revoked_at": r.revoked_at}
            for r in records
        ]  # fmt: skip
        click.echo(json.dumps({"file": str(store.path), "keys": rows}, ensure_ascii=False))
        return
    if not records:
        click.echo(f"no keys in {store.path}; `assistant keys create` makes one.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=str(store.path))
    for column in ("id", "name", "role", "created", "state"):
        table.add_column(column)
    for r in records:
        state = "active" if r.active else "revoked " + _when(r.revoked_at or 0)
        table.add_row(r.id, r.name, r.role.value, _when(r.created_at), state)
    Console().print(table)


@keys_group.command("revoke")
@click.argument("key")
@keys_file_option
@handle_errors
def revoke(key: str, keys_file: Path | None) -> None:
    """Stop accepting a key, named by its id (or its first 4+ characters) or its name."""
    record = _key_file(keys_file).revoke(key)
    click.echo(f"revoked {record.role.value} key '{record.name}' (id {record.id})")


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))
