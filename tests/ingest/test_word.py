"""Word (.docx) files built here with python-docx: headings become sections, tables are read row by row."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from assistant.errors import DocumentError
from assistant.ingest.packages import OLE_MAGIC
from assistant.ingest.word import read_docx


def saved(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def section_text(doc: object, title: str) -> str:
    section = next(s for s in doc.sections if s.title == title)  # type: ignore[attr-defined]
    return doc.text[section.start : section.end]  # type: ignore[attr-defined]


def test_headings_make_sections_and_the_title_comes_from_the_properties() -> None:
    document = docx.Document()
    document.core_properties.title = "2024년 디지털 정책 보고서"
    document.add_paragraph("머리말입니다.")
    document.add_heading("추진 배경", level=1)
    document.add_paragraph("정부는 디지털 전환을 추진한다.")
    document.add_paragraph("둘째 문단이다.")
    document.add_heading("세부 과제", level=2)
    document.add_paragraph("첫째, 인공지능 반도체를 키운다.")
    doc = read_docx("report", saved(document), "report.docx")
    assert doc.title == "2024년 디지털 정책 보고서"
    assert [s.title for s in doc.sections] == ["", "추진 배경", "세부 과제"]
    assert section_text(doc, "추진 배경") == "정부는 디지털 전환을 추진한다.\n둘째 문단이다."
    assert section_text(doc, "세부 과제") == "첫째, 인공지능 반도체를 키운다."


def test_without_properties_the_title_is_the_title_paragraph_and_tables_are_read() -> None:
    document = docx.Document()
    document.add_heading("首爾元宇宙基本規劃", level=0)  # the "Title" style
    document.add_heading("預算", level=1)
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("項目", "金額", "年度"), ("平台", "39億韓元", "2022")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合計另計"
    doc = read_docx("seoul", saved(document), "seoul.docx")
    assert doc.title == "首爾元宇宙基本規劃"
    assert [s.title for s in doc.sections] == ["預算"]
    assert section_text(doc, "預算") == "項目 | 金額 | 年度\n平台 | 39億韓元 | 2022\n合計另計"


def test_a_custom_style_based_on_a_heading_or_with_an_outline_level_is_a_heading() -> None:
    document = docx.Document()
    custom = document.styles.add_style("보고서 제목", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 2"]
    outlined = document.styles.add_style("장 제목", WD_STYLE_TYPE.PARAGRAPH)
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    outlined.element.get_or_add_pPr().append(level)
    document.core_properties.title = "운영 규정"
    document.add_paragraph("개요", style="보고서 제목")
    document.add_paragraph("본문 하나.")
    document.add_paragraph("제1장 총칙", style="장 제목")
    document.add_paragraph("본문 둘.")
    long_heading = document.add_paragraph("아주 긴 문단이 제목 스타일로 쓰였다. " * 8, style="Heading 1")
    doc = read_docx("styles", saved(document), "styles.docx")
    assert [s.title for s in doc.sections] == ["개요", "제1장 총칙"]
    assert section_text(doc, "제1장 총칙").startswith("본문 둘.\n아주 긴 문단")  # too long for a heading: body text
    assert long_heading.style.name == "Heading 1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 not a zip at all", "not a .docx file"),
        (OLE_MAGIC + b"\x00" * 100, "Word 97-2003"),
    ],
)
def test_unreadable_files_say_what_to_do(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        read_docx("bad", data, "bad.docx")


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match=r"cannot read this \.docx file"):
        read_docx("other", path.read_bytes(), "other.docx")
