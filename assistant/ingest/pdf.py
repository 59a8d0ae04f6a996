"""PDF files: the text layer, read by PDFium (pypdfium2), one section per page.

PDFium maps CJK fonts to Unicode cleanly (pypdf put a NUL before every character of embedded two-byte
fonts, as in many Korean and Chinese PDFs). PDFium is not thread-safe, so every call into it holds one lock.
"""

from __future__ import annotations

import threading

from ..errors import DocumentError
from ..records import Document
from ..text.validation import without_refused
from .blocks import Block, build_document, clean_line

_pdfium_lock = threading.Lock()
_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_PLACEHOLDER_TITLES = {"untitled", "제목 없음", "无标题", "無標題"}  # what PDF makers write when there is none


def read_pdf(doc_id: str, data: bytes, path: str) -> Document:
    """A PDF with a text layer; each page becomes a section "p. N"; the title from its metadata or first line."""
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty.")
    pages, info_title = _text_layer(data, path)
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        lines = [clean_line(line) for line in page.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            blocks.append(Block(f"p. {number}", 2))
            blocks.extend(Block(line) for line in lines)
    if not blocks:
        raise DocumentError(
            f"{path}: the PDF has no text layer (scanned pages are images); OCR it first "
            "(for example: ocrmypdf -l kor+chi_tra+chi_sim in.pdf out.pdf) and add the result."
        )
    first_line = next((b.text for b in blocks if not b.level), doc_id)
    info_title = clean_line(info_title)
    if info_title.lower() in _PLACEHOLDER_TITLES:
        info_title = ""
    title = info_title or (first_line if len(first_line) <= 120 else doc_id)
    return build_document(doc_id, title, blocks, path=path)


def _text_layer(data: bytes, path: str) -> tuple[list[str], str]:
    """Each page's text, and the document's metadata title."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) == _PASSWORD_ERROR:
                raise DocumentError(
                    f"{path}: the PDF is password-protected; save a copy without a password."
                ) from error
            raise DocumentError(f"{path}: cannot read this PDF ({error}).") from error
        try:
            pages = []
            for page in document:
                text_page = page.get_textpage()
                pages.append(without_refused(text_page.get_text_range()))  # stray controls are font artifacts
                text_page.close()
                page.close()
            title = without_refused(str(document.get_metadata_dict().get("Title") or ""))
        except pdfium.PdfiumError as error:
            raise DocumentError(f"{path}: cannot read this PDF ({error}).") from error
        finally:
            document.close()
    return pages, title
