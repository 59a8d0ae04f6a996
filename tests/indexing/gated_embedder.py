"""An embedder that holds the analysis of chosen passages until a test lets it go: writes paused on cue.

Named in settings as ``tests.indexing.gated_embedder:GatedEmbedder``, it is built through the embedder
registry like any backend and embeds exactly as the hashing embedder does (same vector space, same id),
except that a passage holding the marker of an armed ``Gate`` waits for the gate to open, or fails.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import ClassVar

import numpy as np

from assistant.embedding.hashing import HashingEmbedder
from assistant.errors import EmbedderError
from assistant.settings import EmbedderSettings

NAME = "tests.indexing.gated_embedder:GatedEmbedder"


class Gate:
    """Passages holding ``marker`` wait in ``embed_passages`` until ``open()``; ``entered`` is set when one does."""

    def __init__(self, marker: str, fail: bool = False) -> None:
        self.marker = marker
        self.fail = fail
        self.entered = threading.Event()
        self._open = threading.Event()

    def open(self) -> None:
        """Let waiting and later passages through."""
        self._open.set()

    def hold(self) -> None:
        self.entered.set()
        if self.fail:
            raise EmbedderError(f"The test embedder refuses passages holding {self.marker!r}.")
        if not self._open.wait(60):
            raise TimeoutError("the test never opened the gate")


class GatedEmbedder(HashingEmbedder):
    """The hashing embedder, with gates on passages (see the module docstring)."""

    gates: ClassVar[list[Gate]] = []

    def __init__(self, dimension: int = 256, **_options: object) -> None:
        super().__init__(dimension)

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> GatedEmbedder:
        """As the hashing embedder."""
        return cls(settings.dimension)

    @classmethod
    @contextmanager
    def gate(cls, marker: str, fail: bool = False) -> Iterator[Gate]:
        """A gate armed for the block, opened (and disarmed) when it ends however it ends."""
        gate = Gate(marker, fail)
        cls.gates.append(gate)
        try:
            yield gate
        finally:
            gate.open()
            cls.gates.remove(gate)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Hashing vectors, once every gate whose marker is in one of the texts lets them through."""
        for gate in list(self.gates):
            if any(gate.marker in text for text in texts):
                gate.hold()
        return super().embed_passages(texts)


def gated_settings() -> EmbedderSettings:
    """Embedder settings naming the gated embedder."""
    return EmbedderSettings(name=NAME)
