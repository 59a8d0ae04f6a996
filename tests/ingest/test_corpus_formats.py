"""The corpus walk and uploads know every format: .pdf, .docx and .hwpx are read, .hwp is refused with a way out."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from assistant.errors import DocumentError
from assistant.indexing.builder import build_index
from assistant.indexing.live import LiveIndex
from assistant.ingest.corpus import SUFFIXES, read_corpus
from assistant.ingest.packages import OLE_MAGIC
from assistant.settings import Settings
from tests.ingest.hwpx_files import hwpx, paragraph, section


def word_file(heading: str, body: str) -> bytes:
    document = docx.Document()
    document.add_heading(heading, level=1)
    document.add_paragraph(body)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def hangul_file(heading: str, body: str) -> bytes:
    return hwpx({"section0": section(paragraph(heading, style=2), paragraph(body))})


def test_the_office_formats_are_registered() -> None:
    assert {".pdf", ".docx", ".hwpx", ".hwp"} <= set(SUFFIXES)


def test_a_corpus_reads_docx_and_hwpx_and_names_the_hwp_it_skips(tmp_path: Path) -> None:
    (tmp_path / "memo.docx").write_bytes(word_file("회의 결과", "다음 회의는 5월에 열린다."))
    (tmp_path / "plan.hwpx").write_bytes(hangul_file("사업 계획", "세종시는 자율주행 버스를 늘린다."))
    (tmp_path / "old.hwp").write_bytes(OLE_MAGIC + b"\x00" * 512)
    report = read_corpus(tmp_path)
    assert sorted((d.id, d.title) for d in report.documents) == [("memo", "회의 결과"), ("plan", "사업 계획")]
    assert len(report.skipped) == 1
    assert report.skipped[0].startswith("old.hwp: a legacy Hangul (.hwp) file; convert it to .hwpx")


@pytest.fixture
def live(tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed.md").write_text("# 안내\n\n부산시는 해양 박물관을 연다.\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index(settings)
    index = LiveIndex(settings)
    yield index
    index.close()


def test_uploads_accept_docx_and_hwpx_and_refuse_hwp_with_the_conversion(live: LiveIndex) -> None:
    [memo] = live.add_file("memo.docx", word_file("회의 결과", "다음 회의는 5월에 열린다."))
    [plan] = live.add_file("plan.hwpx", hangul_file("사업 계획", "세종시는 자율주행 버스를 늘린다."))
    assert (memo.id, plan.id) == ("memo", "plan")
    assert {"memo", "plan", "seed"} == {entry.id for entry in live.documents()}
    with pytest.raises(DocumentError, match=r"convert it to \.hwpx"):
        live.add_file("old.hwp", OLE_MAGIC + b"\x00" * 512)
