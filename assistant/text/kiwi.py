"""The ``Kiwi`` analysers of the process (building one is expensive): one shared by all users, and one per
user dictionary in force (its words added with ``Kiwi.add_user_word``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..languages import normalize
from .dictionaries import UserWord

_lock = threading.Lock()


@lru_cache(maxsize=1)
def shared_kiwi() -> Any:
    """The process-wide ``kiwipiepy.Kiwi`` instance (no user words)."""
    from kiwipiepy import Kiwi

    with _lock:
        return Kiwi(num_workers=min(os.cpu_count() or 1, 8))


@lru_cache(maxsize=4)
def kiwi_with(words: tuple[UserWord, ...]) -> Any:
    """A ``Kiwi`` that knows ``words`` as well (the shared one when there are none); one per dictionary."""
    if not words:
        return shared_kiwi()
    from kiwipiepy import Kiwi

    with _lock:
        kiwi = Kiwi(num_workers=min(os.cpu_count() or 1, 8))
    for word in words:
        kiwi.add_user_word(normalize(word.word), word.tag or "NNP", word.weight or 0.0)
    return kiwi


def analyse(texts: Sequence[str], words: tuple[UserWord, ...] = ()) -> list[list[Any]]:
    """kiwi's tokens of each text, all texts in one batch (kiwi spreads a batch over its workers)."""
    if not texts:
        return []
    kiwi = kiwi_with(words)
    return list(kiwi.tokenize(texts)) if len(texts) > 1 else [kiwi.tokenize(texts[0])]


def kiwi_version() -> str:
    """The installed kiwipiepy version."""
    import kiwipiepy

    return str(kiwipiepy.__version__)
