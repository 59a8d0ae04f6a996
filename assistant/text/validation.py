"""The one check for text a user hands the assistant: questions, ids, names, metadata and document text.

Refused wherever the text comes from (a JSON field, a query or path parameter, a file name, an uploaded file):

- **lone surrogates** (U+D800–U+DFFF without their pair): not Unicode characters at all. They cannot be written as
  UTF-8, so they crash the first encoder down the line (the hashing embedder, the JSON writer, SQLite);
- **NUL** (U+0000): never text; C strings, SQLite and most tools cut or choke on it;
- **control characters** other than tab, newline and carriage return: the rest of C0, DEL (U+007F) and the C1 controls
  (U+0080–U+009F). They are invisible and only arrive from binary data or text decoded with the wrong encoding;
- **noncharacters** (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code points of every plane): reserved for a
  program's internal use and never assigned. U+FFFE is a byte-swapped BOM (UTF-16 read in the wrong byte order),
  U+FFFF is an "end of data" sentinel, and XML forbids both; Unicode allows passing them between cooperating programs,
  but no user's question or document needs one, and one usually means a decoding mistake worth fixing at the source.

Allowed: every other character, format characters included (zero-width joiners in emoji sequences, bidi marks for
Arabic and Hebrew, U+FEFF), private-use characters (some Han variants live there), and unassigned code points (a newer
Unicode version may have assigned them).

``check_text`` raises ``InvalidTextError`` (HTTP 422) naming the field, the character and where it is, and what to do;
``CleanText`` is the same check as a pydantic type, and ``CleanStrings`` checks every string inside free-form JSON
(content parts, metadata), keys included. In pydantic the check runs *before* the string validation, because pydantic
itself lets a lone surrogate through in some fields (``str | None``) and refuses it with a vague message in others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ..errors import InvalidTextError

_PLANE_ENDS = "".join(rf"\U{plane << 16 | 0xFFFE:08x}\U{plane << 16 | 0xFFFF:08x}" for plane in range(1, 17))
_REFUSED = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{_PLANE_ENDS}]")

PYDANTIC_ERROR = "invalid_text"  # the pydantic error type of these problems; the API maps it to InvalidTextError


@dataclass(frozen=True)
class TextProblem:
    """The first refused character of a text: which one, where (from 0), and its line and column (from 1)."""

    character: str
    position: int
    line: int
    column: int

    def sentence(self) -> str:
        """What is wrong and what to do, to follow a field name: "holds a NUL byte at position 14; remove it"."""
        code = ord(self.character)
        where = f"position {self.position}" + (f" (line {self.line}, column {self.column})" if self.line > 1 else "")
        if code == 0:
            return f"holds a NUL byte at {where}; remove it (NUL bytes and other control characters are not text)"
        if 0xD800 <= code <= 0xDFFF:
            return (
                f"holds a lone surrogate U+{code:04X} at {where}, which is not valid Unicode; send the text as UTF-8 "
                "(in JSON, a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF one)"
            )
        if code < 0xA0:
            return (
                f"holds the control character U+{code:04X} at {where}; remove control characters "
                "(only tab, newline and carriage return are allowed)"
            )
        return (
            f"holds the noncharacter U+{code:04X} at {where}, which is not text; remove it "
            "(it usually means the text was decoded with the wrong encoding)"
        )


def find_problem(text: str) -> TextProblem | None:
    """The first character of ``text`` that the assistant refuses, or None when the text is clean."""
    match = _REFUSED.search(text)
    if match is None:
        return None
    position = match.start()
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return TextProblem(match.group(), position, line, column)


def text_error(field: str, sentence: str) -> str:
    """The one message of a text problem: "'messages[2].content' holds a NUL byte at position 14; remove it…"."""
    return f"'{field or 'body'}' {sentence}."


def check_text(text: str, field: str) -> str:
    """``text`` unchanged when it is clean; else ``InvalidTextError`` naming ``field`` and the problem."""
    problem = find_problem(text)
    if problem is not None:
        raise InvalidTextError(text_error(field, problem.sentence()))
    return text


def check_strings(value: Any, field: str) -> Any:
    """``value`` unchanged when every string in it (dict keys included, at any depth) is clean; else
    ``InvalidTextError`` naming the string's place (``field[0].text``, or the dict holding a bad key)."""
    found = _first_problem(value, [])
    if found is not None:
        path, sentence = found
        raise InvalidTextError(text_error((field + format_path(path)).removeprefix("."), sentence))
    return value


def without_refused(text: str) -> str:
    """``text`` with every refused character replaced by a space: for text a program extracted (a PDF's text layer),
    where stray control characters are artifacts of the file's fonts that the uploader cannot edit out."""
    return _REFUSED.sub(" ", text)


def format_path(path: list[str | int]) -> str:
    """Path parts as written after a field name: ``[0].text``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _first_problem(value: Any, path: list[str | int]) -> tuple[list[str | int], str] | None:
    """The first refused string in ``value`` (depth first), as its path and the problem's sentence."""
    if isinstance(value, str):
        problem = find_problem(value)
        return (path, problem.sentence()) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := find_problem(key)) is not None:
                return path, "has a key that " + problem.sentence()
            if (found := _first_problem(item, [*path, str(key)])) is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if (found := _first_problem(item, [*path, i])) is not None:
                return found
    return None


def clean_strings(value: Any) -> Any:
    """``check_strings`` for pydantic validators: raises a ``PydanticCustomError`` whose ``path`` continues the
    field's, so the API names the exact place (``messages[0].content[1].text``)."""
    found = _first_problem(value, [])
    if found is not None:
        path, sentence = found
        raise PydanticCustomError(PYDANTIC_ERROR, "{sentence}", {"sentence": sentence, "path": path})
    return value


CleanStrings = BeforeValidator(clean_strings)
"""Checks every string inside a field's raw value, before pydantic validates it: ``Annotated[X, CleanStrings]``."""

CleanText = Annotated[str, CleanStrings]
"""A ``str`` field, query or path parameter holding only text (see the module docstring for the rules)."""
