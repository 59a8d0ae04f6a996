"""kiwi's batch analysis against one text at a time, and the morphemes the sentence split hands on."""

from __future__ import annotations

from assistant.text.kiwi import analyse
from assistant.text.morphemes import CONTENT_TAGS
from assistant.text.sentences import korean_sentences, korean_sentences_and_morphemes

TEXTS = [
    "도서관은 오전 9시에 문을 연다.",
    "2023년 3월 15일, 시립 도서관의 장서는 32만 권을 넘었다! 열람실은 120석이고, 주말에는 오후 6시까지 연다.",
    "짧다.",
    '연구진은 "새 방법이 1.5배 빠르다"고 밝혔다. 그러나 검증은 아직이다? 결과는 다음 달(4월)에 나온다… '
    "자세한 내용은 누리집 https://example.org 에서 볼 수 있다.",
    "서울특별시와 부산광역시는 각각 인구 940만 명, 330만 명의 도시이다. " * 6,
]


def _tokens(analysed: list[list[object]]) -> list[list[tuple[str, str, int, int]]]:
    return [[(t.form, t.tag, t.start, t.end) for t in tokens] for tokens in analysed]  # type: ignore[attr-defined]


def test_a_batch_is_analysed_as_each_text_alone() -> None:
    batch = _tokens(analyse(TEXTS))
    alone = [_tokens(analyse([text]))[0] for text in TEXTS]
    assert batch == alone
    assert all(batch) and len(batch) == len(TEXTS)


def test_the_sentence_split_hands_on_kiwis_content_morphemes_with_their_spans() -> None:
    offsets = [0, 40, 500, 1000, 2000]
    spans, morphemes = korean_sentences_and_morphemes(TEXTS, offsets, CONTENT_TAGS)
    assert spans == korean_sentences(TEXTS, offsets)
    whole = _tokens(analyse(TEXTS))
    nouns_seen = 0
    for text, offset, found, tokens in zip(TEXTS, offsets, morphemes, whole, strict=True):
        expected = [
            (form, tag, start + offset, end + offset) for form, tag, start, end in tokens if tag in CONTENT_TAGS
        ]
        assert [tuple(m) for m in found] == expected
        nouns = [m for m in found if m.tag in {"NNG", "NNP", "SN"}]
        assert all(text[m.start - offset : m.end - offset] == m.form for m in nouns)
        nouns_seen += len(nouns)
    assert nouns_seen > 20


def test_without_tags_no_morphemes_are_kept() -> None:
    assert korean_sentences_and_morphemes(TEXTS[:2], [0, 0], frozenset())[1] == [[], []]
