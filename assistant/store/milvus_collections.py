"""Where a Milvus index lives: its name, the aliases readers search by, and the collections behind them.

An index named ``N`` is searched through two aliases, ``N`` (the passages) and ``N_meta`` (its statistics,
``milvus_meta``), each pointing at a collection built under a stamp, ``N__<stamp>`` and ``N__<stamp>_meta``. A
full rebuild writes a new pair aside, flushes it, points both aliases at it and only then drops the old pair: a
build that fails or is killed midway leaves the previous collections serving (its own are dropped by ``discard``,
or by the next ``publish`` when the process died). A query searches the build whose statistics it read (their row
names its collection), so the two switches are never seen half done. An index made before aliases (a plain
collection ``N``) is taken over by the first publish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

from ..settings import Settings

SEPARATOR = "__"  # between an index's name and a build's stamp


def collection_name(settings: Settings) -> str:
    """The index's name: ``store.collection``, else one made of the index folder's name and path."""
    if settings.store.collection:
        return settings.store.collection
    folder = settings.index_dir.resolve()
    slug = re.sub(r"[^A-Za-z0-9_]", "_", folder.name)[:40]
    return f"assistant_{slug}_{hashlib.sha1(str(folder).encode()).hexdigest()[:10]}"


def meta_name(name: str) -> str:
    """The side collection (or alias) of a passages collection (or alias)."""
    return f"{name}_meta"


@dataclass(frozen=True)
class Build:
    """One build's pair of collections."""

    passages: str
    meta: str

    @classmethod
    def new(cls, index: str) -> Build:
        """A fresh pair for the index, named by the time and a random tail (two builds never share one)."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:6]
        passages = f"{index}{SEPARATOR}{stamp}"
        return cls(passages, meta_name(passages))


def alias_target(client: Any, alias: str) -> str | None:
    """The collection an alias points at; None when there is no such alias."""
    if alias not in client.list_aliases().get("aliases", []):  # asked first: describe_alias logs an unknown one
        return None
    target = client.describe_alias(alias).get("collection_name")
    return str(target) if target else None


def point(client: Any, alias: str, collection: str) -> None:
    """Make ``alias`` name ``collection``; a plain collection of that name (an index made before aliases) is
    dropped first."""
    if alias_target(client, alias) is not None:
        client.alter_alias(collection, alias)
        return
    if client.has_collection(alias):
        client.drop_collection(alias)
    client.create_alias(collection, alias)


def builds_of(client: Any, index: str) -> list[str]:
    """Every passages and meta collection built for the index (published or not)."""
    prefix = index + SEPARATOR
    return [name for name in client.list_collections() if name.startswith(prefix)]


def publish(client: Any, index: str, build: Build) -> None:
    """Flush a build, point the index's aliases at it and drop every other build of the index."""
    for collection in (build.passages, build.meta):
        client.flush(collection)
    point(client, meta_name(index), build.meta)
    point(client, index, build.passages)  # queries read one build's statistics and rows whatever the order
    for collection in builds_of(client, index):
        if collection not in (build.passages, build.meta):
            client.drop_collection(collection)


def drop_index(client: Any, index: str) -> None:
    """Remove the index: its aliases, every build, and a plain collection of its name."""
    for alias in (index, meta_name(index)):
        if alias_target(client, alias) is not None:
            client.drop_alias(alias)
        elif client.has_collection(alias):
            client.drop_collection(alias)
    for collection in builds_of(client, index):
        client.drop_collection(collection)
