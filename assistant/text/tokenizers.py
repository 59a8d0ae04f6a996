"""The ``Tokenizer`` contract and its registry.

A tokenizer turns texts into lists of keyword terms. It is injected into the keyword index as an object,
and its ``describe()`` goes into the index manifest so an index is never queried with other tokens.
A tokenizer that normalises with ``languages.normalize`` first may also offer ``tokenize_normalized(texts)``
(``tokenize`` of texts already normalised): the keyword index then normalises each text once for all its
fields (``tokenize_all``). A tokenizer class that analyses words declares ``uses_dictionary = True`` and takes
the user dictionary (``dictionary=``) in its constructor; ``create_tokenizer`` hands it over. A
``BridgeTokenizer`` also tokenises queries its own way, so that they meet passages in the other language only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from ..languages import normalize
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


def tokenize_all(
    tokenizers: Mapping[str, Tokenizer], texts: Sequence[str], normal: Sequence[str] | None = None
) -> dict[str, list[list[str]]]:
    """Each text's terms by every tokenizer, each text normalised once for those that take normalised texts
    (``normal``: the texts through ``normalize`` already, when the caller has them)."""
    terms: dict[str, list[list[str]]] = {}
    for name, tokenizer in tokenizers.items():
        take_normal = getattr(tokenizer, "tokenize_normalized", None)
        if take_normal is None:
            terms[name] = tokenizer.tokenize(texts)
            continue
        if normal is None:
            normal = [normalize(text) for text in texts]
        terms[name] = take_normal(normal)
    return terms


def create_tokenizer(name: str, dictionary: UserDictionary | None = None) -> Tokenizer:
    """The tokenizer registered as ``name``; one that ``uses_dictionary`` gets the user dictionary."""
    cls = TOKENIZERS.load(name)
    if dictionary and getattr(cls, "uses_dictionary", False):
        return cls(dictionary=dictionary)  # type: ignore[call-arg]
    return cls()
