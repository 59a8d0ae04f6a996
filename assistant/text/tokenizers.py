"""The ``Tokenizer`` contract and its registry.

A tokenizer turns texts into lists of keyword terms. It is injected into the keyword index as an object,
and its ``describe()`` goes into the index manifest so an index is never queried with other tokens.
A tokenizer class that analyses words declares ``uses_dictionary = True`` and takes the user dictionary
(``dictionary=``) in its constructor; ``create_tokenizer`` hands it over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..registry import Registry
from .dictionaries import UserDictionary


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


def create_tokenizer(name: str, dictionary: UserDictionary | None = None) -> Tokenizer:
    """The tokenizer registered as ``name``; one that ``uses_dictionary`` gets the user dictionary."""
    cls = TOKENIZERS.load(name)
    if dictionary and getattr(cls, "uses_dictionary", False):
        return cls(dictionary=dictionary)  # type: ignore[call-arg]
    return cls()
