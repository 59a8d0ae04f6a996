"""PDF text layers in Korean and Chinese, read exactly (PDFs made here with reportlab's built-in CJK fonts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.ingest.pdf import read_pdf

reportlab = pytest.importorskip("reportlab")
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

KOREAN, TRADITIONAL, SIMPLIFIED = "HYSMyeongJo-Medium", "MSung-Light", "STSong-Light"
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def cjk_pdf(path: Path, pages: list[tuple[str, list[str]]], title: str = "", password: str | None = None) -> bytes:
    """A PDF with one page per (font, lines), lines drawn top to bottom."""
    for font in (KOREAN, TRADITIONAL, SIMPLIFIED):
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    pdf = canvas.Canvas(str(path), encrypt=password)
    if title:
        pdf.setTitle(title)
    for font, lines in pages:
        pdf.setFont(font, 14)
        for number, line in enumerate(lines):
            pdf.drawString(72, 750 - 24 * number, line)
        pdf.showPage()
    pdf.save()
    return path.read_bytes()


def test_korean_and_chinese_pages_are_extracted_exactly_in_page_order(tmp_path: Path) -> None:
    data = cjk_pdf(
        tmp_path / "policy.pdf",
        [
            (KOREAN, ["과학기술정보통신부는 2024년 AI 반도체 전략을 발표했다.", "예산은 1조 원이다."]),
            (TRADITIONAL, ["國家科學及技術委員會發布新政策。"]),
            (SIMPLIFIED, ["国家发展和改革委员会公布计划。"]),
        ],
        title="과학기술 전략",
    )
    doc = read_pdf("policy", data, "policy.pdf")
    assert doc.title == "과학기술 전략"
    assert "\x00" not in doc.text
    assert doc.text == (
        "p. 1\n과학기술정보통신부는 2024년 AI 반도체 전략을 발표했다.\n예산은 1조 원이다.\n"
        "p. 2\n國家科學及技術委員會發布新政策。\n"
        "p. 3\n国家发展和改革委员会公布计划。"
    )
    assert [s.title for s in doc.sections] == ["p. 1", "p. 2", "p. 3"]
    second = doc.sections[1]
    assert doc.text[second.start : second.end] == "國家科學及技術委員會發布新政策。"


def test_without_a_metadata_title_the_first_line_is_the_title(tmp_path: Path) -> None:
    data = cjk_pdf(tmp_path / "note.pdf", [(SIMPLIFIED, ["人工智能发展规划", "第一章 总则"])])
    doc = read_pdf("note", data, "note.pdf")
    assert doc.title == "人工智能发展规划"
    assert doc.text.endswith("第一章 总则")


@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="needs Noto Sans CJK (Debian: fonts-noto-cjk)")
def test_embedded_two_byte_font_gives_no_nul_characters(tmp_path: Path) -> None:
    """The case pypdf read as a NUL before every character: an embedded CJK TrueType font (fpdf2)."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("noto", fname=str(NOTO_CJK))
    pdf.set_font("noto", size=12)
    pdf.cell(text="國家科學 과학기술 人工智能")
    data = bytes(pdf.output())
    doc = read_pdf("fonts", data, "fonts.pdf")
    assert doc.text == "p. 1\n國家科學 과학기술 人工智能"


def test_a_pdf_without_a_text_layer_asks_for_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # a page with only an image-like shape, as a scan has
    pdf.showPage()
    pdf.save()
    with pytest.raises(DocumentError, match=r"has no text layer.*OCR it first") as error:
        read_pdf("scan", path.read_bytes(), "scan.pdf")
    assert "scan.pdf" in str(error.value)


def test_a_password_protected_pdf_says_so(tmp_path: Path) -> None:
    data = cjk_pdf(tmp_path / "locked.pdf", [(KOREAN, ["비밀 문서"])], password="secret")
    with pytest.raises(DocumentError, match="password-protected"):
        read_pdf("locked", data, "locked.pdf")


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 this is not really a pdf"])
def test_empty_or_broken_files_name_the_file(data: bytes) -> None:
    with pytest.raises(DocumentError, match=r"broken\.pdf: (the file is empty|cannot read this PDF)"):
        read_pdf("broken", data, "broken.pdf")
