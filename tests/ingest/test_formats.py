"""Reading each file format, and the two real seed files, into clean documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.ingest.corpus import read_corpus, read_file
from assistant.records import Document


def only_document(path: Path) -> Document:
    items = list(read_file(path))
    assert len(items) == 1
    assert isinstance(items[0], Document), items[0]
    return items[0]


def test_korean_jekyll_post_gives_clean_sections_title_and_source(seed_corpus: Path) -> None:
    doc = only_document(seed_corpus / "news-ko.md")
    assert doc.id == "news-ko"
    assert doc.title == "가상융합산업 메타버스 시대의 대혁신이 시작되다!"
    assert doc.source == "https://newsdao.kr/4636"
    titles = [s.title for s in doc.sections]
    assert titles[:1] == [""] and "주요 내용" in titles and "전문가 의견" in titles
    assert "과학기술정보통신부의 입장" in titles
    for marker in ("<p", "<a ", "href", "data-ke-size", "![", "/assets/img", "<b>", "&nbsp;", "navernews"):
        assert marker not in doc.text, marker
    expert = next(s for s in doc.sections if s.title == "전문가 의견")
    assert "유지상 광운대 교수" in doc.text[expert.start : expert.end]


def test_chinese_report_gives_heading_sections_date_and_trailing_source(seed_corpus: Path) -> None:
    doc = only_document(seed_corpus / "report-zh-hant.md")
    assert doc.title == "虛擬整合經濟下韓國元宇宙發展策略"
    assert doc.source.startswith("https://ieknet.iek.org.tw/iekrpt/rpt_detail.aspx")
    assert doc.date == "2021-11-24"
    titles = [s.title for s in doc.sections]
    assert "(一) 虛擬融合經濟的概念與意義" in titles
    assert "3. 觀光領域" in titles
    assert "](" not in doc.text and "FileDoc4Open" not in doc.text  # image links are gone
    tourism = next(s for s in doc.sections if s.title == "3. 觀光領域")
    assert "Metaverse Tour Seoul" in doc.text[tourism.start : tourism.end]


def test_html_drops_script_style_and_reads_canonical_source(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        """<html><head><title>首爾元宇宙</title><link rel="canonical" href="https://example.org/a">
        <style>.x{color:red}</style></head><body><script>alert('x')</script>
        <h2>概要</h2><p>首爾市提出<b>元宇宙</b>基本規劃。</p><img src="a.png" alt="圖"></body></html>""",
        encoding="utf-8",
    )
    doc = only_document(page)
    assert doc.title == "首爾元宇宙"
    assert doc.source == "https://example.org/a"
    assert doc.sections[0].title == "概要"
    assert "首爾市提出元宇宙基本規劃。" in doc.text
    assert "alert" not in doc.text and "color" not in doc.text


def test_plain_text_reads_title_and_labelled_source(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("메타버스 안내\n출처: https://example.org/k\n\n정부가 계획을 세웠다.\n", encoding="utf-8")
    doc = only_document(path)
    assert (doc.title, doc.source) == ("메타버스 안내", "https://example.org/k")
    assert "정부가 계획을 세웠다." in doc.text


def test_jsonl_reads_each_line_and_names_the_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "faq.jsonl"
    good = {
        "id": "q1",
        "title": "問題",
        "text": "首爾市規劃二十項子計畫。",
        "lang": "zh-Hant",
        "url": "https://e.org",
        "tag": "x",
    }
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n" + json.dumps({"id": "q3"}) + "\n", "utf-8")
    items = list(read_file(path))
    doc = items[0]
    assert isinstance(doc, Document)
    assert (doc.id, doc.title, doc.source, doc.metadata) == ("q1", "問題", "https://e.org", {"tag": "x"})
    assert isinstance(items[1], DocumentError) and "line 2" in str(items[1]) and "faq.jsonl" in str(items[1])
    assert isinstance(items[2], DocumentError) and "line 3" in str(items[2]) and "'text'" in str(items[2])


def test_pdf_text_layer_becomes_page_sections(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_title("XR Strategy")
    for text in ("Korea plans a top five XR nation by 2025.", "Seoul opens a virtual mayor office."):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(text=text)
    path = tmp_path / "strategy.pdf"
    pdf.output(str(path))
    doc = only_document(path)
    assert doc.title == "XR Strategy"
    assert [s.title for s in doc.sections] == ["p. 1", "p. 2"]
    assert "virtual mayor office" in doc.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x00\x01\x02PK\x00\x00" * 10, "binary"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("only-markup.html", b"<html><body><script>x()</script><img src=a.png></body></html>", "no text"),
        ("table.xlsx", b"PK\x03\x04", "unsupported"),
    ],
)
def test_bad_files_give_a_clear_error_naming_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], DocumentError)
    assert name in str(items[0]) and message in str(items[0])


def test_legacy_encodings_are_detected(tmp_path: Path) -> None:
    korean = tmp_path / "euckr.txt"
    korean.write_bytes(
        "가상융합산업 진흥 기본계획\n정부가 메타버스 산업을 키우기 위한 계획을 세웠습니다.".encode("cp949")
    )
    doc = only_document(korean)
    assert doc.title == "가상융합산업 진흥 기본계획"
    chinese = tmp_path / "big5.txt"
    chinese.write_bytes("首爾元宇宙\n首爾市政府提出元宇宙基本規劃，涵蓋七大領域與二十項子計畫。".encode("big5"))
    assert "七大領域" in only_document(chinese).text


def test_corpus_skips_bad_files_and_duplicate_ids_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 제목\n\n본문입니다.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("제목\n다른 본문입니다.", encoding="utf-8")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("# 숨김\n\n숨겨진 글", encoding="utf-8")
    report = read_corpus(tmp_path)
    assert [d.id for d in report.documents] == ["a"]
    assert len(report.skipped) == 2
    assert any("already used" in reason for reason in report.skipped)
    assert any("empty" in reason for reason in report.skipped)
