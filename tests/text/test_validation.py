"""The one text check: what it refuses, what it lets through, and how it names the place and the fix."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ValidationError

from assistant.errors import InvalidQueryError, InvalidTextError
from assistant.text.validation import (
    CleanStrings,
    CleanText,
    check_strings,
    check_text,
    find_problem,
    without_refused,
)

REFUSED = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f",
    "\ud800", "\udbff", "\udc00", "\udfff", "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff",
]  # fmt: skip
ALLOWED = [
    "\t", "\n", "\r", " ", "\xa0", "가", "國", "国", "é", "e\u0301", "\u1100\u1161\u11a8", "😀", "👩\u200d👩\u200d👧",
    "\u200b", "\u200c", "\u200f", "\u202e", "\u2066", "\u2028", "\ufeff", "\ue000", "\U000f0000", "\U00020000",
    "\ufdcf", "\ufdf0", "\ufffd", "\U0001fffd", "\U000e0001", "\u0378",
]  # fmt: skip


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_what_is_not_text_is_refused_wherever_it_is(character: str) -> None:
    text = f"서울시 {character} 메타버스"
    problem = find_problem(text)
    assert problem is not None and problem.character == character and problem.position == 4
    with pytest.raises(InvalidTextError):
        check_text(text, "question")


@pytest.mark.parametrize("character", ALLOWED, ids=lambda c: "+".join(f"U+{ord(x):04X}" for x in c))
def test_text_in_any_script_with_its_marks_and_joiners_passes(character: str) -> None:
    text = f"서울시 {character} 元宇宙 Seoul"
    assert find_problem(text) is None and check_text(text, "question") is text


def test_the_message_names_the_field_the_character_its_place_and_the_fix() -> None:
    with pytest.raises(InvalidTextError) as raised:
        check_text("메타버스 서울\x00", "messages[2].content")
    assert str(raised.value) == (
        "'messages[2].content' holds a NUL byte at position 7; remove it (NUL bytes and other control characters "
        "are not text)."
    )
    assert raised.value.status_code == 422 and raised.value.code == "invalid_text"
    assert isinstance(raised.value, InvalidQueryError)  # reported wherever a bad question is (CLI chat, bots)
    with pytest.raises(
        InvalidTextError, match=r"'text' holds the control character U\+0007 at position 8 \(line 2, column 5\)"
    ):
        check_text("첫 줄\n둘째 줄\x07", "text")
    with pytest.raises(InvalidTextError, match=r"lone surrogate U\+DC00 .* not valid Unicode; send the text as UTF-8"):
        check_text("\udc00", "q")
    with pytest.raises(InvalidTextError, match=r"noncharacter U\+FFFE .* decoded with the wrong encoding"):
        check_text("\ufffe", "q")


def test_every_string_inside_json_is_checked_keys_included() -> None:
    clean = {"tags": ["서울", "元宇宙"], "nested": {"a": [1, 2.5, None, True, "텍스트"]}}
    assert check_strings(clean, "metadata") is clean
    with pytest.raises(InvalidTextError, match=r"^'metadata\.nested\.a\[1\]' holds the control character U\+001B"):
        check_strings({"nested": {"a": ["ok", "\x1b[31m"]}}, "metadata")
    with pytest.raises(InvalidTextError, match=r"^'metadata\.nested' has a key that holds a NUL byte"):
        check_strings({"nested": {"a\x00": 1}}, "metadata")
    with pytest.raises(InvalidTextError, match=r"^'title' holds"):
        check_strings({"title": "\uffff"}, "")


class Question(BaseModel):
    question: CleanText
    user: CleanText | None = None
    content: Annotated[str | list[dict[str, Any]] | None, CleanStrings] = None


@pytest.mark.parametrize(
    ("data", "loc", "path"),
    [
        ({"question": "a\x00"}, ("question",), []),
        ({"question": "ok", "user": "\ud800"}, ("user",), []),  # pydantic alone would let this one through
        ({"question": "ok", "content": "\x7f"}, ("content",), []),
        ({"question": "ok", "content": [{"type": "text", "text": "ok"}, {"text": "\x85"}]}, ("content",), [1, "text"]),
    ],
)
def test_as_a_pydantic_type_it_runs_first_and_says_where(data: dict[str, Any], loc: tuple[str], path: list) -> None:
    with pytest.raises(ValidationError) as raised:
        Question.model_validate(data)
    [error] = raised.value.errors()
    assert error["type"] == "invalid_text" and error["loc"] == loc and error["ctx"]["path"] == path
    assert error["msg"].startswith("holds ")


def test_clean_text_is_left_alone_and_extracted_text_can_be_scrubbed() -> None:
    assert Question.model_validate({"question": "서울 😀", "content": [{"text": "元宇宙"}]}).question == "서울 😀"
    assert without_refused("p. 3\x02리그\x00\n\tok\ud800") == "p. 3 리그 \n\tok "
