"""The one ``Kiwi`` analyser of the process (building one is expensive), shared by all users."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def shared_kiwi() -> Any:
    """The process-wide ``kiwipiepy.Kiwi`` instance."""
    from kiwipiepy import Kiwi

    with _lock:
        return Kiwi(num_workers=min(os.cpu_count() or 1, 8))


def kiwi_version() -> str:
    """The installed kiwipiepy version."""
    import kiwipiepy

    return str(kiwipiepy.__version__)
