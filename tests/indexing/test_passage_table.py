"""Passages as columns: the same records as the list they replace, through growth, removal, filters and a save."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.indexing.passage_table import PassageTable
from assistant.records import Language, Passage
from assistant.store.base import Filters


def passage(document: str, n: int, language: Language, text: str, title: str = "", section: str = "") -> Passage:
    return Passage(
        f"{document}#{n}",
        document,
        title or document.upper(),
        section,
        "src",
        language,
        text,
        n * 10,
        n * 10 + len(text),
    )


PASSAGES = [
    passage("ko-news", 0, Language.KOREAN, "서울시는 메타버스 계획을 발표했다.", section="개요"),
    passage("ko-news", 1, Language.KOREAN, "가상 보신각 타종 행사를 연다.", section="행사"),
    passage("zh-hant", 0, Language.TRADITIONAL, "國防部推動虛擬訓練。"),
    passage("zh-hans", 0, Language.SIMPLIFIED, "首尔还计划举办虚拟灯笼节。", title="首尔"),
    passage("en", 0, Language.OTHER, "", title=""),  # an empty text and title
    passage("zh-hans", 1, Language.SIMPLIFIED, "𠀀 astral plane and emoji 🙂", title="首尔"),
]


def test_a_table_reads_back_every_passage_as_it_was() -> None:
    table = PassageTable.of(PASSAGES)
    assert len(table) == len(PASSAGES) and list(table) == PASSAGES
    assert table[0] == PASSAGES[0] and table[-1] == PASSAGES[-1] and table[1:3] == PASSAGES[1:3]
    assert table.ids() == [p.id for p in PASSAGES]
    with pytest.raises(IndexError):
        table[len(PASSAGES)]
    assert len(PassageTable()) == 0 and list(PassageTable()) == [] and PassageTable().ids() == []


def test_passages_added_read_the_same_before_and_after_compaction() -> None:
    table = PassageTable.of(PASSAGES[:2])
    table.extend(PASSAGES[2:4])
    table.extend(PASSAGES[4:])
    assert list(table) == PASSAGES and table.ids() == [p.id for p in PASSAGES] and table[3] == PASSAGES[3]
    compacted = table.compacted()
    assert list(compacted) == PASSAGES and compacted.compacted() is compacted
    assert table.language_counts() == compacted.language_counts() == Counter(p.language.value for p in PASSAGES)


@pytest.mark.parametrize("compact", [False, True])
def test_filters_and_removal_pick_the_rows_a_list_would(compact: bool) -> None:
    table = PassageTable.of(PASSAGES[:3])
    table.extend(PASSAGES[3:])
    if compact:
        table = table.compacted()
    for filters in (
        Filters(document_ids=["zh-hans", "ko-news", "missing"]),
        Filters(languages=[Language.SIMPLIFIED, Language.OTHER]),
        Filters(document_ids=["zh-hans", "ko-news"], languages=[Language.KOREAN]),
        Filters(),
    ):
        expected = [filters.admits(p) for p in PASSAGES]
        assert table.admitted(filters.document_ids, filters.languages).tolist() == expected
    keep = np.array([p.document_id != "ko-news" for p in PASSAGES])
    kept = table.kept(keep)
    assert list(kept) == [p for p in PASSAGES if p.document_id != "ko-news"]
    assert list(table.kept(np.zeros(len(PASSAGES), dtype=bool))) == []
    kept.extend(PASSAGES[:1])
    assert list(kept.compacted()) == [*(p for p in PASSAGES if p.document_id != "ko-news"), PASSAGES[0]]


def test_a_saved_table_opens_memory_mapped_with_the_same_passages(tmp_path: Path) -> None:
    table = PassageTable.of(PASSAGES[:4])
    table.extend(PASSAGES[4:])  # saving compacts
    table.save(tmp_path)
    loaded = PassageTable.load(tmp_path)
    assert list(loaded) == PASSAGES and loaded.language_counts() == table.language_counts()
    assert isinstance(loaded._state[0].text, np.memmap)
    loaded.extend([passage("new", 0, Language.KOREAN, "새 문서")])
    loaded = loaded.kept(np.array([True] * 5 + [False, True]))
    assert list(loaded) == [*PASSAGES[:5], passage("new", 0, Language.KOREAN, "새 문서")]
