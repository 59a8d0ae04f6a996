"""Giving the C heap's free pages back to the system once a process has loaded what it serves with.

Building a ``kiwipiepy.Kiwi`` (its dictionaries and model, in C++), loading jieba's dictionary and opening the
index allocate more than they keep, and glibc's allocator holds on to what was freed: right after a ``Kiwi`` is
built about 47 MB of its ~490 MB is free heap. Later loads reuse most of it, so the pages are given back once, at
the end of the warm-up (``malloc_trim``): 14.6 MB of a 724 MB serving process on the mixed public index
(``eval/benchmark_memory.py``). Trimming right after each load gives back no more in the end (the next load takes
fresh pages instead). It frees only what nothing uses, so nothing computed changes. Where the C library has no
``malloc_trim`` (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _trim() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; whether the C library could (glibc's ``malloc_trim``)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
