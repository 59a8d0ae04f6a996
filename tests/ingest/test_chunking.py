"""Passages: exact spans, sentence boundaries, size and overlap, stable ids, language per passage."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_documents, pack
from assistant.ingest.corpus import read_corpus
from assistant.records import Document, Language, Section
from assistant.settings import ChunkingSettings


def make(doc_id: str, text: str, language: Language | None = None) -> Document:
    return Document(id=doc_id, title="T", text=text, sections=(Section("S", 0, len(text)),), language=language)


KOREAN = (
    "정부가 가상융합산업 진흥 기본계획을 세웠다. 생성형 인공지능과 디지털트윈을 메타버스에 접목한다. "
    "민관 협력과 자율 규제로 지속 가능한 발전을 꾀한다. 전문가들은 새 성장 동력을 찾자고 했다. "
) * 4
CHINESE = "首爾市提出元宇宙基本規劃。規劃涵蓋七大領域！共有二十項子計畫？預計二〇二六年完成。" * 6


def test_passages_are_exact_spans_ending_on_sentence_boundaries() -> None:
    settings = ChunkingSettings(size=120, overlap=30)
    for text, ends in ((KOREAN, "."), (CHINESE, "。！？")):
        passages = chunk_documents([make("d", text)], settings)[0]
        assert len(passages) > 2
        for passage in passages:
            assert passage.text == text[passage.start : passage.end]
            assert len(passage.text) <= settings.size
            assert passage.text[-1] in ends
        covered = {i for p in passages for i in range(p.start, p.end)}
        assert covered >= {i for i, ch in enumerate(text) if not ch.isspace()}


def test_overlap_repeats_trailing_sentences() -> None:
    passages = chunk_documents(
        [make("d", CHINESE)], ChunkingSettings(size=60, overlap=25, chinese_size=60, chinese_overlap=25)
    )[0]
    assert any(b.start < a.end for a, b in itertools.pairwise(passages))
    no_overlap = chunk_documents(
        [make("d", CHINESE)], ChunkingSettings(size=60, overlap=0, chinese_size=60, chinese_overlap=0)
    )[0]
    assert all(b.start >= a.end for a, b in itertools.pairwise(no_overlap))


def test_an_overlong_sentence_is_cut_to_size() -> None:
    text = "가" * 1000
    passages = chunk_documents([make("d", text)], ChunkingSettings(size=300, overlap=0))[0]
    assert [len(p.text) for p in passages] == [250, 250, 250, 250]


def test_pack_never_stalls() -> None:
    spans = [(i * 10, i * 10 + 9) for i in range(50)]
    chunks = pack(spans, size=25, overlap=20)
    assert chunks[0][0] == 0 and chunks[-1][1] == 499
    assert all(b[0] > a[0] for a, b in itertools.pairwise(chunks))


def test_ids_are_stable_and_passages_keep_document_fields() -> None:
    settings = ChunkingSettings(size=100, overlap=20)
    first = chunk_documents([make("doc-1", KOREAN)], settings)[0]
    second = chunk_documents([make("doc-1", KOREAN)], settings)[0]
    assert [p.id for p in first] == [p.id for p in second] == [f"doc-1#{i}" for i in range(len(first))]
    assert {(p.document_id, p.title, p.section, p.language) for p in first} == {("doc-1", "T", "S", Language.KOREAN)}


def test_language_per_passage() -> None:
    lines = [
        "首爾市提出元宇宙基本規劃。",
        "首尔市提出元宇宙基本规划。",
        "서울시는 메타버스 기본계획을 발표했다.",
        "The plan has seven areas.",
    ]
    text = "\n".join(lines)
    doc = Document(id="mixed", title="T", text=text, sections=tuple(
        Section(f"s{i}", text.index(line), text.index(line) + len(line)) for i, line in enumerate(text.split("\n"))
    ))  # fmt: skip
    languages = [p.language for p in chunk_documents([doc], ChunkingSettings())[0]]
    assert languages == [Language.TRADITIONAL, Language.SIMPLIFIED, Language.KOREAN, Language.OTHER]


def test_demo_corpus_passages_are_clean(tmp_path: Path) -> None:
    from tests.conftest import CORPUS

    report = read_corpus(CORPUS)
    assert len(report.documents) >= 30 and not report.skipped
    passages = [p for group in chunk_documents(report.documents, ChunkingSettings()) for p in group]
    assert {p.language for p in passages} == {Language.KOREAN, Language.TRADITIONAL, Language.SIMPLIFIED}
    assert all(p.source.startswith("https://") for p in passages)
    assert not any("<" in p.text and ">" in p.text for p in passages)


def test_chinese_documents_get_their_own_passage_size() -> None:
    settings = ChunkingSettings(size=200, overlap=0, chinese_size=50, chinese_overlap=0)
    chinese = chunk_documents([make("zh", CHINESE)], settings)[0]
    korean = chunk_documents([make("ko", KOREAN)], settings)[0]
    assert max(len(p.text) for p in chinese) <= 50
    assert max(len(p.text) for p in korean) > 50


def test_overlap_must_be_smaller_than_size_for_chinese_too() -> None:
    with pytest.raises(ValueError, match="chinese_overlap"):
        ChunkingSettings(chinese_size=50, chinese_overlap=50)


def test_a_very_long_korean_paragraph_is_split_like_its_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.text import sentences

    long_line = KOREAN * 12  # one line of about 2,500 characters
    settings = ChunkingSettings(size=120, overlap=30)
    whole = chunk_documents([make("d", long_line)], settings)[0]
    monkeypatch.setattr(sentences, "KIWI_PIECE", 400)
    cut = chunk_documents([make("d", long_line)], settings)[0]
    assert [(p.start, p.end) for p in cut] == [(p.start, p.end) for p in whole]
    assert all(p.text == long_line[p.start : p.end] and p.text.endswith(".") for p in cut)
