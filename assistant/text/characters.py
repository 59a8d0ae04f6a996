"""Single Han characters: a low-weight field that still matches when word segmentation and bigrams differ."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..languages import normalize

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class CharacterTokenizer:
    """Every Han character of the normalised text (Korean and Latin text give no terms)."""

    name = "characters"

    def describe(self) -> dict[str, str]:
        """Name and normalisation."""
        import opencc

        return {"name": self.name, "opencc": str(getattr(opencc, "__version__", "unknown"))}

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Han characters of each text."""
        return self.tokenize_normalized([normalize(text) for text in texts])

    def tokenize_normalized(self, texts: Sequence[str]) -> list[list[str]]:
        """Han characters of each text already through ``normalize``."""
        return [_HAN.findall(text) for text in texts]
