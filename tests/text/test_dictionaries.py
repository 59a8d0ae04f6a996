"""User dictionaries: the file format, words kept whole by real kiwi and jieba, and the index identity they join."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigurationError, IndexMismatchError
from assistant.indexing.builder import build_index, open_index
from assistant.settings import DictionarySettings, Settings
from assistant.text.dictionaries import KOREAN_TAGS, UserDictionary, UserWord, load_dictionary, parse_words
from assistant.text.morphemes import CONTENT_TAGS, MorphemeTokenizer
from assistant.text.tokenizers import create_tokenizer

KOREAN = "# 제품과 서비스 이름\n누리콘솔\n한빛누리앱 NNP   # 앱 이름\n\n"
CHINESE = "鸿蒙智行\n歐陽娜娜 nr 2000\n"  # a Traditional entry matches both scripts


@pytest.fixture(scope="module")
def dictionary() -> UserDictionary:
    return UserDictionary(parse_words(KOREAN, "ko.txt", "korean"), parse_words(CHINESE, "zh.txt", "chinese"))


def test_entries_read_word_tag_and_number_and_skip_comments() -> None:
    words = parse_words("# 주석\n누리콘솔\n한빛누리앱 nng 2.5\n마음건강 -1 NNP # 끝\n", "ko.txt", "korean")
    assert words == (
        UserWord("누리콘솔", "NNP"),
        UserWord("한빛누리앱", "NNG", 2.5),
        UserWord("마음건강", "NNP", -1.0),
    )
    assert words[1].where == "ko.txt, line 3"
    assert parse_words("鸿蒙智行 nz\n欧阳娜娜 2000\n", "zh.txt", "chinese") == (
        UserWord("鸿蒙智行", "nz"),
        UserWord("欧阳娜娜", "", 2000.0),
    )


@pytest.mark.parametrize(
    ("text", "language", "message"),
    [
        ("누리콘솔 XYZ\n", "korean", r"ko\.txt, line 1: unknown tag 'XYZ'; use one of"),
        ("韓國銀行\n", "korean", "is not a Korean word"),
        ("누리 NNP NNG\n", "korean", r"expected 'word \[TAG\] \[number\]'"),
        ("iPhone手机\n", "chinese", "is not a Chinese word"),
        ("鸿蒙智行 0\n", "chinese", "whole number of at least 1"),
        ("鸿蒙智行 NZ_1\n", "chinese", "is not a jieba tag"),
    ],
)
def test_bad_entries_name_the_file_and_line(text: str, language: str, message: str) -> None:
    path = "ko.txt" if language == "korean" else "zh.txt"
    with pytest.raises(ConfigurationError, match=message):
        parse_words(text, path, language)


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist; create it or unset ASSISTANT_DICTIONARY__KOREAN"):
        load_dictionary(DictionarySettings(korean=tmp_path / "missing.txt"))
    assert not load_dictionary(DictionarySettings())


def test_korean_tags_are_ones_the_keyword_side_keeps() -> None:
    assert KOREAN_TAGS <= CONTENT_TAGS


def test_user_words_are_kept_whole_by_kiwi_and_jieba(dictionary: UserDictionary) -> None:
    texts = ["누리콘솔로 신청하세요", "鸿蒙智行发布新车", "歐陽娜娜出席活動", "欧阳娜娜出席活动"]
    plain = MorphemeTokenizer().tokenize(texts)
    assert plain[:3] == [["누리", "콘솔", "신청"], ["鸿蒙", "智行", "发布", "新车"], ["欧阳", "娜娜", "出席", "活动"]]
    with_words = MorphemeTokenizer(dictionary).tokenize(texts)
    assert with_words[:2] == [["누리콘솔", "신청"], ["鸿蒙智行", "发布", "新车"]]
    assert with_words[2] == with_words[3] == ["欧阳娜娜", "出席", "活动"]
    assert MorphemeTokenizer().tokenize(texts) == plain  # jieba's and kiwi's shared analysers are unchanged


def test_only_word_tokenizers_get_the_dictionary_and_the_description_records_it(dictionary: UserDictionary) -> None:
    morphemes = create_tokenizer("morphemes", dictionary)
    assert morphemes.describe()["user_dictionary"] == dictionary.describe()
    assert dictionary.describe().startswith("ko 2 words, zh 2 words, sha256 ")
    assert "user_dictionary" not in create_tokenizer("morphemes").describe()
    assert "user_dictionary" not in create_tokenizer("bigrams", dictionary).describe()


def test_the_checksum_follows_the_words_not_comments_or_order() -> None:
    one = UserDictionary(parse_words("가나다라\n마바사아 NNG\n", "a", "korean"))
    same = UserDictionary(parse_words("# 순서만 다르다\n마바사아 NNG # 명사\n가나다라\n", "b", "korean"))
    other = UserDictionary(parse_words("가나다라\n마바사아 NNP\n", "c", "korean"))
    assert one.checksum() == same.checksum() != other.checksum()


def test_a_changed_dictionary_makes_the_old_index_ask_for_a_rebuild(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notice.md").write_text("# 안내\n\n누리콘솔로 신청하세요. 鸿蒙智行发布新车。\n", encoding="utf-8")
    words = tmp_path / "_dictionary" / "ko.txt"
    words.parent.mkdir()
    words.write_text(KOREAN, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", dictionary=DictionarySettings(korean=words))
    build_index(settings)
    index = open_index(settings)
    assert "누리콘솔" in index.keyword.passage_fields["morphemes"].vocabulary
    assert index.keyword.scores("누리콘솔", {"morphemes": 1.0}, 0.0).max() > 0

    words.write_text(KOREAN + "신청하세요\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError) as error:
        open_index(settings)
    message = str(error.value)
    assert "user dictionaries" in message and "'user_dictionary': 'ko 3 words" in message
    assert f"Rebuild it with: assistant index build --full --index {settings.index_dir}" in message
