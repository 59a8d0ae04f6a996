"""The ``Tokenizer`` contract and its registry.

A tokenizer turns texts into lists of keyword terms. It is injected into the keyword index as an object,
and its ``describe()`` goes into the index manifest so an index is never queried with other tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..registry import Registry


@runtime_checkable
class Tokenizer(Protocol):
    """Turns texts into keyword terms, in batches."""

    name: str

    def describe(self) -> dict[str, str]:
        """Name and versions of everything that decides the terms (goes into the manifest)."""
        ...

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """The terms of each text, in order."""
        ...


TOKENIZERS: Registry[Tokenizer] = Registry(
    "tokenizer",
    {
        "morphemes": "assistant.text.morphemes:MorphemeTokenizer",
        "bigrams": "assistant.text.bigrams:BigramTokenizer",
        "characters": "assistant.text.characters:CharacterTokenizer",
    },
)
