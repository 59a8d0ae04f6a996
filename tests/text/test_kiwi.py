"""kiwi's batch analysis against one text at a time, the morphemes the sentence split hands on, and the setting
for kiwi's multi-word dictionary."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

import kiwipiepy
import pytest

from assistant.indexing.search_index import SearchIndex
from assistant.settings import DictionarySettings, Settings
from assistant.text import kiwi
from assistant.text.dictionaries import UserWord
from assistant.text.kiwi import analyse
from assistant.text.morphemes import CONTENT_TAGS
from assistant.text.sentences import korean_sentences, korean_sentences_and_morphemes
from assistant.text.tokenizers import create_tokenizer

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


class _RecordingKiwi:
    """Stands in for ``kiwipiepy.Kiwi``: remembers how it was built."""

    built: ClassVar[list[dict[str, object]]] = []

    def __init__(self, **options: object) -> None:
        self.built.append(options)

    def add_user_word(self, *args: object) -> None:
        pass


def test_the_multi_words_setting_reaches_every_kiwi_the_process_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kiwipiepy, "Kiwi", _RecordingKiwi)
    # fresh caches for this test, the real analysers of the session untouched
    monkeypatch.setattr(kiwi, "_shared", lru_cache(maxsize=2)(lambda *choices: kiwi._build((), *choices)))
    monkeypatch.setattr(kiwi, "_with", lru_cache(maxsize=4)(kiwi._build))
    _RecordingKiwi.built = []
    try:
        SearchIndex(Settings(dictionary=DictionarySettings(korean_multi_words=False)), None)
        assert not kiwi.multi_words()
        shared, with_words = kiwi.shared_kiwi(), kiwi.kiwi_with((UserWord("누리콘솔"),))
        assert shared is kiwi.shared_kiwi() and with_words is not shared
        assert [options["load_multi_dict"] for options in _RecordingKiwi.built] == [False, False]
        assert create_tokenizer("morphemes").describe()["kiwi_multi_words"] == "off"

        SearchIndex(Settings(), None)  # the default: kiwi's multi-word dictionary on, as before the setting
        assert kiwi.multi_words() and kiwi.shared_kiwi() is not shared
        assert _RecordingKiwi.built[-1]["load_multi_dict"] is True
        assert "kiwi_multi_words" not in create_tokenizer("morphemes").describe()
    finally:
        kiwi.use_multi_words(True)


def test_the_default_words_setting_reaches_every_kiwi_the_process_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kiwipiepy, "Kiwi", _RecordingKiwi)
    monkeypatch.setattr(kiwi, "_shared", lru_cache(maxsize=2)(lambda *choices: kiwi._build((), *choices)))
    monkeypatch.setattr(kiwi, "_with", lru_cache(maxsize=4)(kiwi._build))
    _RecordingKiwi.built = []
    try:
        SearchIndex(Settings(dictionary=DictionarySettings(korean_default_words=False)), None)
        assert not kiwi.default_words() and kiwi.multi_words()
        shared, with_words = kiwi.shared_kiwi(), kiwi.kiwi_with((UserWord("누리콘솔"),))
        assert shared is kiwi.shared_kiwi() and with_words is not shared
        assert [(o["load_default_dict"], o["load_multi_dict"]) for o in _RecordingKiwi.built] == [(False, True)] * 2
        description = create_tokenizer("morphemes").describe()
        assert description["kiwi_default_words"] == "off" and "kiwi_multi_words" not in description

        SearchIndex(Settings(), None)  # the default: kiwi's default dictionary on
        assert kiwi.default_words() and kiwi.shared_kiwi() is not shared
        assert _RecordingKiwi.built[-1]["load_default_dict"] is True
        assert "kiwi_default_words" not in create_tokenizer("morphemes").describe()
    finally:
        kiwi.use_default_words(True)
