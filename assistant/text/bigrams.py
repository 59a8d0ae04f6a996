"""Character bigrams of Hangul and Han runs (Latin and number runs stay whole words).

Bigrams need no dictionary, so they catch names and compounds the analysers split badly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..languages import normalize

_RUN = re.compile(r"[^\W\d_a-z]+|[a-z0-9]+")
_ASCII = re.compile(r"[a-z0-9]+")


def bigrams(text: str) -> list[str]:
    """Bigrams of an already normalised text."""
    terms: list[str] = []
    for match in _RUN.finditer(text):
        run = match.group()
        if len(run) == 1 or _ASCII.fullmatch(run):
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


class BigramTokenizer:
    """Overlapping character pairs of normalised text."""

    name = "bigrams"

    def describe(self) -> dict[str, str]:
        """Name and normalisation."""
        import opencc

        return {"name": self.name, "opencc": str(getattr(opencc, "__version__", "unknown"))}

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Bigrams of each text."""
        return self.tokenize_normalized([normalize(text) for text in texts])

    def tokenize_normalized(self, texts: Sequence[str]) -> list[list[str]]:
        """Bigrams of each text already through ``normalize``."""
        return [bigrams(text) for text in texts]
