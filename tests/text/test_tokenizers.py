"""Keyword terms: Korean morphemes, Chinese words across scripts, bigrams."""

from __future__ import annotations

from assistant.languages import normalize
from assistant.text.bigrams import BigramTokenizer
from assistant.text.morphemes import MorphemeTokenizer


def test_korean_gives_content_morphemes_without_particles() -> None:
    [terms] = MorphemeTokenizer().tokenize(["정부가 메타버스 산업을 활성화하기 위한 계획을 세웠다"])
    assert {"정부", "메타버스", "산업", "계획"} <= set(terms)
    assert not {"가", "을", "를", "다"} & set(terms)


def test_traditional_and_simplified_meet_on_the_same_terms() -> None:
    tokenizer = MorphemeTokenizer()
    traditional, simplified = tokenizer.tokenize(["虛擬融合經濟發展戰略", "虚拟融合经济发展战略"])
    assert traditional == simplified and "经济" in traditional
    assert BigramTokenizer().tokenize(["首爾觀光"]) == BigramTokenizer().tokenize(["首尔观光"])


def test_mixed_scripts_go_to_their_own_analysers() -> None:
    [terms] = MorphemeTokenizer().tokenize(["科學技術資訊通訊部(MSIT)와 서울시가 XR 전략을 發表"])
    assert "msit" in terms and "xr" in terms and ("서울시" in terms or "서울" in terms)
    assert "发表" in terms


def test_batches_equal_single_calls() -> None:
    tokenizer = MorphemeTokenizer()
    texts = ["메타버스 서울", "元宇宙首爾", "가상융합 經濟", ""]
    assert tokenizer.tokenize(texts) == [tokenizer.tokenize([t])[0] for t in texts]


def test_bigrams_keep_latin_words_whole() -> None:
    assert BigramTokenizer().tokenize(["XR技術 2025年"]) == [["xr", "技术", "2025", "年"]]


def test_texts_normalised_once_give_every_field_the_same_terms() -> None:
    from assistant.text.tokenizers import TOKENIZERS, create_tokenizer, tokenize_all

    texts = ["서울시는 메타버스 120 센터를 연다", "國軍護理學院把訓練時間縮短了", "首尔还计划举办虚拟灯笼节 AR"]
    tokenizers = {name: create_tokenizer(name) for name in TOKENIZERS.names()}
    assert all(hasattr(t, "tokenize_normalized") for t in tokenizers.values())
    assert tokenize_all(tokenizers, texts) == {name: t.tokenize(texts) for name, t in tokenizers.items()}
    normal = [normalize(text) for text in texts]  # a caller that has them already
    assert tokenize_all(tokenizers, texts, normal) == tokenize_all(tokenizers, texts)


def test_jiebas_tagger_holds_the_same_word_tags_on_the_dictionarys_own_strings() -> None:
    import jieba
    import jieba.posseg

    from assistant.text.morphemes import jieba_tagger

    table = jieba_tagger().dt.word_tag_tab
    fresh = jieba.posseg.POSTokenizer(jieba.dt).word_tag_tab  # read from the dictionary file as jieba does
    assert table == fresh and len(table) > 300_000
    assert len({id(tag) for tag in table.values()}) == len(set(table.values()))  # one string per tag
    word = next(iter(table))
    held = next(key for key in jieba.dt.FREQ if key == word)
    assert word is held  # the word is the tokenizer's own string, not a copy
    assert [(w.word, w.flag) for w in jieba_tagger().cut("台北市政府发布元宇宙计划")] == [
        ("台北市", "ns"), ("政府", "n"), ("发布", "v"), ("元", "m"), ("宇宙", "n"), ("计划", "n")
    ]  # fmt: skip
