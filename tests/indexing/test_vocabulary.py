"""A field's vocabulary: the same columns from the dict a build grows and from the arrays a saved one opens as."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.indexing import vocabulary as module
from assistant.indexing.vocabulary import Vocabulary

TERMS = ["서울", "메타버스", "首尔", "虛擬", "2026", "xr", "𠀀", "서울시"]


def test_a_saved_vocabulary_finds_every_term_in_its_column(tmp_path: Path) -> None:
    growing = Vocabulary(TERMS)
    growing.save(tmp_path, "words")
    opened = Vocabulary.load(tmp_path, "words")
    assert len(opened) == len(TERMS) and isinstance(opened._saved.hashes, np.memmap)  # type: ignore[union-attr]
    asked = [*reversed(TERMS), "없는말", ""]
    assert opened.columns(asked) == growing.columns(asked) == [*reversed(range(len(TERMS))), None, None]
    assert "首尔" in opened and "없는말" not in opened and opened.get("xr") == 5
    assert opened.columns([]) == []


def test_terms_of_equal_hash_are_told_apart(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(module, "term_hash", lambda term: len(term))  # every two-character term collides
    Vocabulary(TERMS).save(tmp_path, "words")
    opened = Vocabulary.load(tmp_path, "words")
    assert opened.columns(TERMS) == list(range(len(TERMS)))
    assert opened.columns(["없다", "abc"]) == [None, None]


def test_a_saved_vocabulary_grows_from_where_it_was(tmp_path: Path) -> None:
    Vocabulary(TERMS).save(tmp_path, "words")
    opened = Vocabulary.load(tmp_path, "words")
    assert opened.append("새말") == len(TERMS)
    assert opened.terms == [*TERMS, "새말"] and opened.get("새말") == len(TERMS) and opened.get("서울") == 0
    opened.save(tmp_path, "again")
    assert Vocabulary.load(tmp_path, "again").columns(["새말", "𠀀"]) == [len(TERMS), 6]
