"""Hangul files: .hwpx packages written here as 한글 writes them (OWPML), and legacy .hwp refused with a way out."""

from __future__ import annotations

import pytest

from assistant.errors import DocumentError
from assistant.ingest import packages
from assistant.ingest.hangul import read_hwp, read_hwpx
from assistant.ingest.packages import OLE_MAGIC
from assistant.records import Document
from tests.ingest.hwpx_files import HP, HS, hwpx, paragraph, section, table


def titled_text(doc: Document, title: str) -> str:
    found = next(s for s in doc.sections if s.title == title)
    return doc.text[found.start : found.end]


SECTION_SETTINGS = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" outlineShapeIDRef="1">'
    '<hp:pagePr landscape="WIDELY" width="59528" height="84186" gutterType="LEFT_ONLY"/></hp:secPr>'
    '<hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" sameGap="0"/></hp:ctrl>'
)
PAGE_HEADER = (
    '<hp:ctrl><hp:header id="1" applyPageType="BOTH"><hp:subList id="" textDirection="HORIZONTAL">'
    + paragraph("머리말: 대외비")
    + "</hp:subList></hp:header></hp:ctrl>"
)


def test_sections_come_from_outline_styles_in_section_order_with_the_package_title() -> None:
    data = hwpx(
        {
            "section0": section(
                paragraph("이 계획은 부처 합동으로 마련했다.", inner=SECTION_SETTINGS + PAGE_HEADER),
                paragraph("추진 배경", style=2, shape=2),
                paragraph("디지털 전환이 빨라지고 있다."),
                paragraph("세부 과제", style=3),
                paragraph("인공지능 반도체를 키운다.<hp:lineBreak/>예산은 1조 원이다."),
            ),
            "section1": section(
                paragraph("기대 효과", shape=5),  # a heading by its paragraph shape's outline level
                paragraph("일자리\t<hp:tab/>3만 개가 생긴다."),
            ),
        },
        title="2024년 디지털 업무계획",
        spine=["section0", "section1"],
    )
    doc = read_hwpx("plan", data, "plan.hwpx")
    assert doc.title == "2024년 디지털 업무계획"
    assert [s.title for s in doc.sections] == ["", "추진 배경", "세부 과제", "기대 효과"]
    assert titled_text(doc, "") == "이 계획은 부처 합동으로 마련했다."  # the page header (머리말) is left out
    assert titled_text(doc, "추진 배경") == "디지털 전환이 빨라지고 있다."
    assert titled_text(doc, "세부 과제") == "인공지능 반도체를 키운다. 예산은 1조 원이다."
    assert titled_text(doc, "기대 효과") == "일자리 3만 개가 생긴다."
    assert "대외비" not in doc.text


def test_tables_and_text_boxes_are_read_and_sections_sort_by_number_without_a_spine() -> None:
    text_box = (
        '<hp:rect id="7" zOrder="1" numberingType="PICTURE" textWrap="IN_FRONT_OF_TEXT"><hp:drawText lastWidth="100" '
        'name="" editable="0"><hp:subList id="" textDirection="HORIZONTAL" vertAlign="CENTER">'
        + paragraph("글상자 안의 안내문")
        + "</hp:subList></hp:drawText></hp:rect>"
    )
    sections = {f"section{n}": section(paragraph(f"{n}번째 구역의 글.")) for n in range(11)}
    sections["section2"] = section(
        paragraph("예산 현황", style=2),
        table([["항목", "금액"], ["플랫폼", "39억 원"]]),
        paragraph("표 다음 문단.", inner=text_box),
    )
    doc = read_hwpx("budget", hwpx(sections), "budget.hwpx")
    assert doc.title == "예산 현황"  # no content.hpf title: the first heading
    lines = doc.text.split("\n")
    assert lines[:2] == ["0번째 구역의 글.", "1번째 구역의 글."]
    assert lines[2:7] == ["예산 현황", "항목 | 금액", "플랫폼 | 39억 원", "표 다음 문단.", "글상자 안의 안내문"]
    assert lines[7:] == [f"{n}번째 구역의 글." for n in range(3, 11)]  # section10 after section9


def test_a_legacy_hwp_file_is_refused_with_how_to_convert_it() -> None:
    with pytest.raises(DocumentError, match=r"report\.hwp: a legacy Hangul \(\.hwp\) file; convert it to \.hwpx") as e:
        read_hwp("report", OLE_MAGIC + b"\x00" * 512, "report.hwp")
    assert "다른 이름으로 저장" in str(e.value) and "HWPX" in str(e.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"not a zip", "not a .hwpx file"),
        (OLE_MAGIC + b"\x00" * 512, "legacy .hwp file"),
    ],
)
def test_unreadable_hwpx_files_say_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        read_hwpx("bad", data, "bad.hwpx")


def test_a_package_without_sections_or_with_broken_xml_is_refused() -> None:
    with pytest.raises(DocumentError, match="no Contents/section"):
        read_hwpx("empty", hwpx({}), "empty.hwpx")
    with pytest.raises(DocumentError, match=r"section0\.xml' is not well-formed XML"):
        read_hwpx("broken", hwpx({"section0": "<hs:sec>"}), "broken.hwpx")


def test_entities_are_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE sec [<!ENTITY a "가나다라마바사">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<hs:sec {HS} {HP}>" + paragraph("&b;") + paragraph("본문") + "</hs:sec>"
    )
    doc = read_hwpx("entities", hwpx({"section0": bomb}), "entities.hwpx")
    assert "가나다라" not in doc.text and "본문" in doc.text


def test_a_package_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packages, "MAX_UNPACKED_BYTES", 10_000)
    data = hwpx({"section0": section(*[paragraph("같은 문장이 되풀이된다.")] * 200)})
    assert len(data) < 10_000
    with pytest.raises(DocumentError, match="unpacks to"):
        read_hwpx("big", data, "big.hwpx")
