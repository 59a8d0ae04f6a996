"""Reading corpus files (``ingest/corpus.py``): text that is not text is refused with the file (and line) named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.ingest.corpus import decode, read_corpus, read_file
from assistant.records import Document

BODY = "# 메타버스 안내\n\n서울시는 2026년까지 메타버스 서울 플랫폼을 완성한다.\n"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ((BODY * 200 + "끝\x00").encode(), "NUL byte"),  # past the first 4 KB, where the binary sniff looks
        ((BODY + "\x1b[31m").encode(), "control character U+001B"),
        ((BODY + "\x85").encode(), "control character U+0085"),
        ((BODY + "\uffff").encode(), "noncharacter U+FFFF"),
        ("\ufeff".encode("utf-16-le") + (BODY + "\x07").encode("utf-16-le"), "control character U+0007"),
        ("\ufeff".encode("utf-16-le") + "가\ud800".encode("utf-16-le", "surrogatepass"), "not valid UTF-16"),
    ],
)
def test_text_holding_what_is_not_text_is_refused_with_its_place(data: bytes, fragment: str) -> None:
    with pytest.raises(DocumentError, match=re.escape(fragment)) as raised:
        decode(data, "notice.md")
    assert str(raised.value).startswith("notice.md: ")


def test_clean_text_in_any_script_and_encoding_is_read() -> None:
    text = BODY + "元宇宙計畫 😀 e\u0301 \u200d\ufeff\t끝\r\n"
    assert decode(text.encode("utf-8"), "a.md") == text
    assert decode("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), "a.md") == text


def test_a_jsonl_line_with_an_escaped_control_character_is_refused_alone(tmp_path: Path) -> None:
    lines = [
        {"id": "good", "title": "안내", "text": "서울시는 플랫폼을 완성한다."},
        {"id": "nul", "title": "안내", "text": "서울시\u0000는"},
        {"id": "surrogate", "title": "\ud800", "text": "본문"},
        {"id": "meta", "text": "본문", "tags": ["ok", "\u001b"]},
    ]
    path = tmp_path / "notes.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")  # \uXXXX escapes
    items = list(read_file(path, "notes.jsonl"))
    assert [item.id for item in items if isinstance(item, Document)] == ["good"]
    errors = [str(item) for item in items if isinstance(item, DocumentError)]
    assert errors[0].startswith("notes.jsonl, line 2: 'text' holds a NUL byte at position 3")
    assert errors[1].startswith("notes.jsonl, line 3: 'title' holds a lone surrogate U+D800")
    assert errors[2].startswith("notes.jsonl, line 4: 'tags[1]' holds the control character U+001B")


def test_a_corpus_build_skips_such_a_file_and_keeps_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(BODY, encoding="utf-8")
    (tmp_path / "bad.md").write_text(BODY + "\x0c", encoding="utf-8")
    report = read_corpus(tmp_path)
    assert [document.id for document in report.documents] == ["good"]
    assert len(report.skipped) == 1 and "bad.md" in report.skipped[0] and "U+000C" in report.skipped[0]
