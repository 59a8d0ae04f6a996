"""The one ``Kiwi`` analyser of the process (building one is expensive), shared by all users."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def shared_kiwi() -> Any:
    """The process-wide ``kiwipiepy.Kiwi`` instance."""
    from kiwipiepy import Kiwi

    with _lock:
        return Kiwi(num_workers=min(os.cpu_count() or 1, 8))


def analyse(texts: Sequence[str]) -> list[list[Any]]:
    """kiwi's tokens of each text, all texts in one batch (kiwi spreads a batch over its workers)."""
    if not texts:
        return []
    kiwi = shared_kiwi()
    return list(kiwi.tokenize(texts)) if len(texts) > 1 else [kiwi.tokenize(texts[0])]


def kiwi_version() -> str:
    """The installed kiwipiepy version."""
    import kiwipiepy

    return str(kiwipiepy.__version__)
