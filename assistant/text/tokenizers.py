"""The ``Tokenizer`` contract and its registry.

A tokenizer turns texts into lists of keyword terms. It is injected into the keyword index as an object,
and its ``describe()`` goes into the index manifest so an index is never queried with other tokens.
A tokenizer class that analyses words declares ``uses_dictionary = True`` and takes the user dictionary
(``dictionary=``) in its constructor; ``create_tokenizer`` hands it over. A ``BridgeTokenizer`` also tokenises
queries its own way, so that they meet passages in the other language only.
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


@runtime_checkable
class BridgeTokenizer(Tokenizer, Protocol):
    """A tokenizer whose field joins questions in one language to passages in another.

    Passages keep ``tokenize``; queries get ``tokenize_queries``, whose terms meet only passages in another
    language than the query's. The keyword index scores such a field as a lane of its own (see
    ``indexing.keyword``), its weight being how far a match across languages is trusted.
    """

    def tokenize_queries(self, texts: Sequence[str]) -> list[list[str]]:
        """The terms of each query, made to meet passages in the other language only."""
        ...


TOKENIZERS: Registry[Tokenizer] = Registry(
    "tokenizer",
    {
        "morphemes": "assistant.text.morphemes:MorphemeTokenizer",
        "bigrams": "assistant.text.bigrams:BigramTokenizer",
        "characters": "assistant.text.characters:CharacterTokenizer",
        "readings": "assistant.text.readings:ReadingTokenizer",
    },
)


def create_tokenizer(name: str, dictionary: UserDictionary | None = None) -> Tokenizer:
    """The tokenizer registered as ``name``; one that ``uses_dictionary`` gets the user dictionary."""
    cls = TOKENIZERS.load(name)
    if dictionary and getattr(cls, "uses_dictionary", False):
        return cls(dictionary=dictionary)  # type: ignore[call-arg]
    return cls()
