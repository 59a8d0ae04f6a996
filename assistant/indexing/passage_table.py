"""The index's passages held as columns: a ``Passage`` record is made only when one is read.

Texts and ids are one UTF-8 buffer each with offsets into it; document id, title, section and source are codes
into one list of distinct strings (a document's passages share them), the language a one-byte code, the spans
two integer columns. 98k passages take about 60 MB this way against about 190 MB as ``Passage`` objects, and a
saved table is opened memory-mapped (``passages.*.npy`` and ``passages.strings.json``) instead of parsed, so
only the pages of the passages read are resident.

A table grows by ``extend`` (the new passages wait as records, as a ``list`` would hold them) until ``compacted``
turns them into columns; ``kept`` makes the table of some rows. It is a ``Sequence[Passage]``: ``len``,
iteration and indexing work as on the list it replaces.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from ..records import Language, Passage

LANGUAGES = list(Language)  # a language's code is its place here
_CODES = {language: code for code, language in enumerate(LANGUAGES)}
_FIELDS = ("document", "title", "section", "source", "language", "start", "end")  # the columns of ``fields``
STRINGS = "passages.strings.json"


@dataclass(frozen=True)
class _Columns:
    """Passages as arrays; never changed once made (a table swaps in new ones)."""

    text: np.ndarray  # uint8: every text's UTF-8, one after another
    text_offsets: np.ndarray  # int64 (n + 1): where each text starts in ``text``, and the end
    ids: np.ndarray  # uint8: every passage id's UTF-8
    id_offsets: np.ndarray  # int64 (n + 1)
    fields: np.ndarray  # int64 (n, 7): ``_FIELDS``; document … source are places in ``strings``
    strings: list[str]

    def __len__(self) -> int:
        return len(self.fields)

    def passage(self, row: int) -> Passage:
        document, title, section, source, language, start, end = self.fields[row].tolist()
        strings = self.strings
        return Passage(
            id=_decode(self.ids, self.id_offsets, row),
            document_id=strings[document],
            title=strings[title],
            section=strings[section],
            source=strings[source],
            language=LANGUAGES[language],
            text=_decode(self.text, self.text_offsets, row),
            start=start,
            end=end,
        )

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
            fields[row] = (
                code(p.document_id), code(p.title), code(p.section), code(p.source), _CODES[p.language], p.start, p.end
            )  # fmt: skip
        text, text_offsets = _encode([p.text for p in passages])
        ids, id_offsets = _encode([p.id for p in passages])
        return cls(text, text_offsets, ids, id_offsets, fields, strings)


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
        size = len(columns) + len(added)
        row = int(row)
        if row < 0:
            row += size
        if not 0 <= row < size:
            raise IndexError(f"passage row {row} out of range (the table has {size})")
        return columns.passage(row) if row < len(columns) else added[row - len(columns)]

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
        text, text_offsets = _take(columns.text, columns.text_offsets, keep)
        ids, id_offsets = _take(columns.ids, columns.id_offsets, keep)
        fields = columns.fields[keep]
        used = np.unique(fields[:, :4])
        strings = [columns.strings[i] for i in used.tolist()]
        fields[:, :4] = np.searchsorted(used, fields[:, :4])
        return PassageTable(_Columns(text, text_offsets, ids, id_offsets, fields, strings))

    def ids(self) -> list[str]:
        """Every passage's id, in row order."""
        columns, added = self._state
        return [_decode(columns.ids, columns.id_offsets, row) for row in range(len(columns))] + [p.id for p in added]

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
        for name in ("text", "text_offsets", "ids", "id_offsets", "fields"):
            np.save(folder / f"passages.{name}.npy", getattr(columns, name))
        (folder / STRINGS).write_text(json.dumps(columns.strings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> PassageTable:
        """Open what ``save`` wrote; the text and id buffers memory-mapped (the generation must stay leased)."""

        def read(name: str, mapped: bool = False) -> np.ndarray:
            return np.load(folder / f"passages.{name}.npy", mmap_mode="r" if mapped else None)

        strings = json.loads((folder / STRINGS).read_text(encoding="utf-8"))
        columns = _Columns(
            read("text", True), read("text_offsets"), read("ids", True), read("id_offsets"), read("fields"), strings
        )
        if len(columns.text_offsets) != len(columns) + 1 or len(columns.id_offsets) != len(columns) + 1:
            raise ValueError(f"the passage columns in '{folder}' do not agree in length")
        return cls(columns)


def _encode(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """One UTF-8 buffer of the values and the offsets of each (n + 1)."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


def _decode(buffer: np.ndarray, offsets: np.ndarray, row: int) -> str:
    return buffer[int(offsets[row]) : int(offsets[row + 1])].tobytes().decode("utf-8")


def _take(buffer: np.ndarray, offsets: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The buffer and offsets of the kept values only."""
    lengths = np.diff(offsets)
    kept = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(lengths[keep], out=kept[1 : int(keep.sum()) + 1])
    kept = kept[: int(keep.sum()) + 1]
    return np.asarray(buffer)[np.repeat(keep, lengths)], kept


def _concatenate(first: _Columns, second: _Columns) -> _Columns:
    """The rows of ``first`` then those of ``second`` (whose strings extend ``first``'s)."""
    return _Columns(
        np.concatenate([first.text, second.text]),
        np.concatenate([first.text_offsets[:-1], second.text_offsets + first.text_offsets[-1]]),
        np.concatenate([first.ids, second.ids]),
        np.concatenate([first.id_offsets[:-1], second.id_offsets + first.id_offsets[-1]]),
        np.concatenate([first.fields, second.fields]),
        second.strings,
    )
