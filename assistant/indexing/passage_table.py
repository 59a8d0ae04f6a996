"""The index's passages held as columns: a ``Passage`` record is made only when one is read.

Texts and ids are one UTF-8 buffer each; one int64 row per passage holds the codes of its document id, title,
section and source in one list of distinct strings (a document's passages share them), its language's code, its
span, and where its text and id lie in the buffers. A saved table (``passages.*.npy``, ``passages.strings.json``)
opens memory-mapped instead of parsed: at 96.7k passages 8.5 MB of rows plus the pages of the texts read
(23.6 MB of text in all), against 57 MB of ``Passage`` objects and a 6 s parse of ``passages.jsonl`` before.
Making a record costs about 5 µs (a list index, 0.3 µs), paid for the hits of a search only.

A table grows by ``extend`` (the new passages wait as records, as a ``list`` would hold them) until ``compacted``
turns them into columns; ``kept`` makes the table of some rows. It is a ``Sequence[Passage]``: ``len``,
iteration and indexing work as on the list it replaces.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np

from ..records import Language, Passage

LANGUAGES = list(Language)  # a language's code is its place here
_CODES = {language: code for code, language in enumerate(LANGUAGES)}
# the columns of ``fields``: places in ``strings`` (document … source), a language code, the passage's span in its
# document, and where its text and its id lie in their buffers (the buffers hold them in row order, without gaps)
_FIELDS = ("document", "title", "section", "source", "language", "start", "end", "text", "text_end", "id", "id_end")
_TEXT, _ID = _FIELDS.index("text"), _FIELDS.index("id")
STRINGS = "passages.strings.json"


@dataclass(frozen=True)
class _Columns:
    """Passages as arrays; never changed once made (a table swaps in new ones)."""

    text: np.ndarray  # uint8: every text's UTF-8, one after another
    ids: np.ndarray  # uint8: every passage id's UTF-8
    fields: np.ndarray  # int64 (n, 11): ``_FIELDS``, all of a row's numbers read at once
    strings: list[str]
    _text: memoryview = field(init=False, repr=False, compare=False)
    _ids: memoryview = field(init=False, repr=False, compare=False)
    count: int = field(init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return self.count

    def __post_init__(self) -> None:  # views to decode from: slicing one is quicker than slicing an array
        object.__setattr__(self, "_text", np.asarray(self.text).data)
        object.__setattr__(self, "_ids", np.asarray(self.ids).data)
        object.__setattr__(self, "count", len(self.fields))

    def passage(self, row: int) -> Passage:
        document, title, section, source, language, start, end, text_start, text_end, id_start, id_end = self.fields[
            row
        ].tolist()
        strings = self.strings
        return Passage(  # positional: keywords cost a microsecond more, on every hit
            str(self._ids[id_start:id_end], "utf-8"),
            strings[document],
            strings[title],
            strings[section],
            strings[source],
            LANGUAGES[language],
            str(self._text[text_start:text_end], "utf-8"),
            start,
            end,
        )

    def id(self, row: int) -> str:
        id_start, id_end = self.fields[row, _ID : _ID + 2].tolist()
        return str(self._ids[id_start:id_end], "utf-8")

    @classmethod
    def of(cls, passages: Sequence[Passage], strings: list[str] | None = None) -> _Columns:
        """Columns of these passages (their strings added to ``strings``, which they then share)."""
        strings = [] if strings is None else list(strings)
        place = {s: i for i, s in enumerate(strings)}

        def code(value: str) -> int:
            found = place.get(value)
            if found is None:
                found = place[value] = len(strings)
                strings.append(value)
            return found

        fields = np.zeros((len(passages), len(_FIELDS)), dtype=np.int64)
        for row, p in enumerate(passages):
            fields[row, :_TEXT] = (
                code(p.document_id), code(p.title), code(p.section), code(p.source), _CODES[p.language], p.start, p.end
            )  # fmt: skip
        text = _encode([p.text for p in passages], fields[:, _TEXT : _TEXT + 2])
        ids = _encode([p.id for p in passages], fields[:, _ID : _ID + 2])
        return cls(text, ids, fields, strings)


class PassageTable(Sequence[Passage]):
    """Passages in row order, as columns (see the module's docstring)."""

    def __init__(self, columns: _Columns | None = None, added: Sequence[Passage] = ()) -> None:
        # one tuple, swapped whole by ``extend``: a reader never sees the columns of one state with the rest of another
        self._state: tuple[_Columns, tuple[Passage, ...]] = (
            columns if columns is not None else _Columns.of([]),
            tuple(added),
        )

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> PassageTable:
        """A table of these passages, as columns."""
        return cls(_Columns.of(passages))

    def __len__(self) -> int:
        columns, added = self._state
        return len(columns) + len(added)

    @overload
    def __getitem__(self, row: int) -> Passage: ...

    @overload
    def __getitem__(self, row: slice) -> list[Passage]: ...

    def __getitem__(self, row: int | slice) -> Passage | list[Passage]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        columns, added = self._state
        held = columns.count
        if 0 <= row < held:
            return columns.passage(row)
        size = held + len(added)
        row = int(row) + size if row < 0 else int(row)
        if not 0 <= row < size:
            raise IndexError(f"passage row {row} out of range (the table has {size})")
        return columns.passage(row) if row < held else added[row - held]

    def __iter__(self) -> Iterator[Passage]:
        columns, added = self._state
        for row in range(len(columns)):
            yield columns.passage(row)
        yield from added

    def extend(self, passages: Sequence[Passage]) -> None:
        """Append passages (held as records until ``compacted``)."""
        columns, added = self._state
        self._state = (columns, (*added, *passages))

    def compacted(self) -> PassageTable:
        """This table with every passage in columns."""
        columns, added = self._state
        if not added:
            return self
        return PassageTable(_concatenate(columns, _Columns.of(added, columns.strings)))

    def kept(self, keep: np.ndarray) -> PassageTable:
        """The table of the rows where the boolean mask is true (in columns)."""
        columns = self.compacted()._state[0]
        keep = np.asarray(keep, dtype=bool)
        fields = columns.fields[keep]
        text = _take(columns.text, columns.fields[:, _TEXT : _TEXT + 2], keep, fields[:, _TEXT : _TEXT + 2])
        ids = _take(columns.ids, columns.fields[:, _ID : _ID + 2], keep, fields[:, _ID : _ID + 2])
        used = np.unique(fields[:, :4])
        strings = [columns.strings[i] for i in used.tolist()]
        fields[:, :4] = np.searchsorted(used, fields[:, :4])
        return PassageTable(_Columns(text, ids, fields, strings))

    def ids(self) -> list[str]:
        """Every passage's id, in row order."""
        columns, added = self._state
        return [columns.id(row) for row in range(len(columns))] + [p.id for p in added]

    def admitted(self, document_ids: Collection[str] = (), languages: Collection[Language] = ()) -> np.ndarray:
        """One boolean per row: the passage is of one of ``document_ids`` and one of ``languages`` (either
        unrestricted when empty), as ``Filters.admits`` says; read from the columns, no record made."""
        columns, added = self._state
        fields = columns.fields
        mask = np.ones(len(columns), dtype=bool)
        if document_ids:
            wanted = {s for s in document_ids}
            codes = [i for i, s in enumerate(columns.strings) if s in wanted]
            mask &= np.isin(fields[:, 0], codes)
        if languages:
            mask &= np.isin(fields[:, 4], [_CODES[language] for language in languages])
        tail = [
            (not document_ids or p.document_id in document_ids) and (not languages or p.language in languages)
            for p in added
        ]
        return np.concatenate([mask, np.array(tail, dtype=bool)])

    def language_counts(self) -> Counter[str]:
        """How many passages each language has (by ``Language`` value)."""
        columns, added = self._state
        counts = np.bincount(columns.fields[:, 4], minlength=len(LANGUAGES)).tolist()
        found = Counter({LANGUAGES[code].value: n for code, n in enumerate(counts) if n})
        found.update(p.language.value for p in added)
        return found

    def save(self, folder: Path) -> None:
        """Write the columns as ``passages.*.npy`` and the strings as ``passages.strings.json``."""
        columns = self.compacted()._state[0]
        for name in ("text", "ids", "fields"):
            np.save(folder / f"passages.{name}.npy", getattr(columns, name))
        (folder / STRINGS).write_text(json.dumps(columns.strings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> PassageTable:
        """Open what ``save`` wrote; the text and id buffers memory-mapped (the generation must stay leased)."""

        def read(name: str, mapped: bool = False) -> np.ndarray:
            return np.load(folder / f"passages.{name}.npy", mmap_mode="r" if mapped else None)

        strings = json.loads((folder / STRINGS).read_text(encoding="utf-8"))
        return cls(_Columns(read("text", True), read("ids", True), read("fields"), strings))


def _encode(values: Sequence[str], spans: np.ndarray) -> np.ndarray:
    """One UTF-8 buffer of the values; where each lies in it is written into ``spans`` (n, 2)."""
    encoded = [value.encode("utf-8") for value in values]
    ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
    spans[:, 1] = ends
    spans[:, 0] = ends - [len(e) for e in encoded]
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()


def _take(buffer: np.ndarray, spans: np.ndarray, keep: np.ndarray, kept_spans: np.ndarray) -> np.ndarray:
    """The buffer of the kept values only; their places in it are written into ``kept_spans``."""
    lengths = spans[:, 1] - spans[:, 0]
    ends = np.cumsum(lengths[keep])
    kept_spans[:, 1] = ends
    kept_spans[:, 0] = ends - lengths[keep]
    return np.asarray(buffer)[np.repeat(keep, lengths)]


def _concatenate(first: _Columns, second: _Columns) -> _Columns:
    """The rows of ``first`` then those of ``second`` (whose strings extend ``first``'s)."""
    shifted = second.fields.copy()
    shifted[:, _TEXT : _TEXT + 2] += len(first.text)
    shifted[:, _ID : _ID + 2] += len(first.ids)
    return _Columns(
        np.concatenate([first.text, second.text]),
        np.concatenate([first.ids, second.ids]),
        np.concatenate([first.fields, shifted]),
        second.strings,
    )
