"""Giving the C heap's free pages back: done where glibc offers it, harmless where it does not."""

from __future__ import annotations

import ctypes.util
import sys

import pytest

from assistant import heap


def test_free_pages_are_given_back_where_the_c_library_can() -> None:
    heap._trim.cache_clear()
    try:
        given_back = heap.release_free_memory()
    finally:
        heap._trim.cache_clear()
    # glibc has malloc_trim; other C libraries (macOS, Windows, musl) answer False and nothing happens
    assert given_back == (sys.platform == "linux" and heap._trim() is not None)
    if sys.platform == "linux" and ctypes.util.find_library("c") == "libc.so.6":
        assert given_back


def test_without_malloc_trim_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    heap._trim.cache_clear()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    try:
        assert heap.release_free_memory() is False
    finally:
        heap._trim.cache_clear()
