"""Sentence spans, and how a text too long for kiwi in one piece is cut."""

from __future__ import annotations

import itertools

from assistant.text.sentences import cut_long_text, korean_sentences


def test_a_short_text_is_one_piece() -> None:
    assert cut_long_text("짧은 문장이다.", 100) == [(0, 8)]


def test_long_text_is_cut_after_sentence_ends_else_spaces_else_at_the_limit() -> None:
    text = "가나다라. " * 30  # sentences of 6 characters
    spans = cut_long_text(text, 40)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert all(end - start <= 40 for start, end in spans)
    assert all(text[end - 2 : end] == ". " for _start, end in spans[:-1])
    words = "가나다 " * 30
    assert all(words[end - 1] == " " for _start, end in cut_long_text(words, 40)[:-1])
    solid = "가" * 100
    assert cut_long_text(solid, 40) == [(0, 40), (40, 80), (80, 100)]


def test_korean_sentences_keep_offsets_across_pieces(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.text import sentences

    text = "서울시는 계획을 세웠다. 부산시도 계획을 세웠다. 대구시는 아직이다. " * 5
    whole = korean_sentences([text], [100])[0]
    monkeypatch.setattr(sentences, "KIWI_PIECE", 50)
    pieces = korean_sentences([text, "짧은 글이다."], [100, 0])
    assert pieces[0] == whole and len(whole) == 15
    assert all(text[a - 100 : b - 100].endswith(".") for a, b in whole)
    assert pieces[1] == [(0, 7)]
