"""Documents → passages: sentences packed up to a target size, with overlap, never across sections.

Every passage keeps its character span in the document, so ``document.text[start:end] == passage.text``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

from ..languages import CHINESE, chinese_script, detect_language, has_hangul
from ..records import Document, Language, Passage
from ..settings import ChunkingSettings
from ..text.sentences import Morpheme, Span, chinese_sentences, korean_sentences_and_morphemes, latin_sentences


def chunk_documents(documents: Sequence[Document], settings: ChunkingSettings) -> list[list[Passage]]:
    """The passages of each document, in document order; Korean text goes to kiwi in one batch."""
    return chunk_documents_and_morphemes(documents, settings, frozenset())[0]


def chunk_documents_and_morphemes(
    documents: Sequence[Document], settings: ChunkingSettings, keep_tags: Set[str]
) -> tuple[list[list[Passage]], list[list[Morpheme]]]:
    """``chunk_documents``, and each document's Korean morphemes with a tag in ``keep_tags`` (spans in the
    document's text, in order) as kiwi found them while splitting sentences: its one pass over the text."""
    lines: list[tuple[int, int, int, int]] = []  # (document, section, start, end) of each non-empty line
    for d, document in enumerate(documents):
        for s, section in enumerate(document.sections):
            position = section.start
            for line in document.text[section.start : section.end].split("\n"):
                if line.strip():
                    lines.append((d, s, position, position + len(line)))
                position += len(line) + 1
    korean = [i for i, (d, _s, a, b) in enumerate(lines) if has_hangul(documents[d].text[a:b])]
    korean_spans, korean_morphemes = korean_sentences_and_morphemes(
        [documents[lines[i][0]].text[lines[i][2] : lines[i][3]] for i in korean],
        [lines[i][2] for i in korean],
        keep_tags,
    )
    morphemes: list[list[Morpheme]] = [[] for _ in documents]
    for i, of_line in zip(korean, korean_morphemes, strict=True):
        morphemes[lines[i][0]].extend(of_line)
    spans_of_line: dict[int, list[Span]] = dict(zip(korean, korean_spans, strict=True))
    sentences: dict[tuple[int, int], list[Span]] = {}
    for i, (d, s, a, b) in enumerate(lines):
        found = spans_of_line.get(i)
        if found is None:
            text = documents[d].text[a:b]
            found = chinese_sentences(text, a) if re.search(r"[\u3400-\u9fff]", text) else latin_sentences(text, a)
        sentences.setdefault((d, s), []).extend(found)
    result: list[list[Passage]] = []
    for d, document in enumerate(documents):
        default_chinese = document.language or chinese_script(document.text)
        if default_chinese not in CHINESE:
            default_chinese = Language.SIMPLIFIED
        size, overlap = settings.size, settings.overlap
        if detect_language(document.text[:2000], default_chinese) in CHINESE:
            size, overlap = settings.chinese_size, settings.chinese_overlap
        passages: list[Passage] = []
        for s, section in enumerate(document.sections):
            for start, end in pack(sentences.get((d, s), []), size, overlap):
                text = document.text[start:end]
                passages.append(
                    Passage(
                        id=f"{document.id}#{len(passages)}",
                        document_id=document.id,
                        title=document.title,
                        section=section.title,
                        source=document.source,
                        language=detect_language(text, default_chinese),
                        text=text,
                        start=start,
                        end=end,
                    )
                )
        result.append(passages)
    return result, morphemes


def pack(sentences: Sequence[Span], size: int, overlap: int) -> list[Span]:
    """Greedy packing of sentence spans into chunks of at most ``size`` characters.

    The next chunk starts with the trailing sentences of the previous one that fit in ``overlap``.
    A sentence longer than ``size`` is cut into pieces on its own.
    """
    pieces: list[Span] = []
    for start, end in sentences:
        pieces.extend(_cut(start, end, size))
    chunks: list[Span] = []
    i = 0
    while i < len(pieces):
        j = i + 1
        while j < len(pieces) and pieces[j][1] - pieces[i][0] <= size:
            j += 1
        chunks.append((pieces[i][0], pieces[j - 1][1]))
        if j >= len(pieces):
            break
        k = j
        while k - 1 > i and pieces[j - 1][1] - pieces[k - 1][0] <= overlap:
            k -= 1
        i = k
    return chunks


def _cut(start: int, end: int, size: int) -> list[Span]:
    """Equal-ish pieces of one over-long span (the text is not needed: cuts are by length)."""
    if end - start <= size:
        return [(start, end)]
    count = -(-(end - start) // size)
    step = -(-(end - start) // count)
    return [(a, min(a + step, end)) for a in range(start, end, step)]
