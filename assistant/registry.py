"""Lazy registries: a settings name maps to ``"module:Class"``, imported only when first asked for.

Built-in backends register the same way an extension would; a dotted path ``package.module:Class``
works as a name too, so custom backends need no change here.
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, TypeVar

from .errors import ConfigurationError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to lazily imported classes of one backend kind."""

    def __init__(self, kind: str, entries: dict[str, str]) -> None:
        self.kind = kind
        self._entries = dict(entries)

    def register(self, name: str, target: str) -> None:
        """Add or replace a backend: ``target`` is ``"module:Class"``."""
        self._entries[name] = target

    def names(self) -> list[str]:
        """The registered names."""
        return sorted(self._entries)

    def load(self, name: str) -> type[T]:
        """The class registered as ``name`` (or named by a ``module:Class`` path)."""
        target = self._entries.get(name, name if ":" in name else None)
        if target is None:
            known = ", ".join(self.names())
            raise ConfigurationError(f"Unknown {self.kind} '{name}'. Choose one of: {known}.")
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            raise ConfigurationError(
                f"The {self.kind} '{name}' needs the module '{error.name}', which is not installed."
            ) from error
        try:
            cls: type[T] = getattr(module, attribute)
        except AttributeError as error:
            raise ConfigurationError(f"'{module_name}' has no {self.kind} class '{attribute}'.") from error
        return cls

    def create(self, name: str, **options: Any) -> T:
        """An instance of the backend registered as ``name``."""
        return self.load(name)(**options)
