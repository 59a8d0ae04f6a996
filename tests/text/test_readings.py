"""Korean Hanja readings of Chinese text, and the bridge field's passage and query terms."""

from __future__ import annotations

from assistant.text.readings import CHINESE_MARK, ReadingTokenizer, hangul_bigrams, readings
from assistant.text.tokenizers import BridgeTokenizer, create_tokenizer


def test_known_words_read_as_their_korean() -> None:
    assert readings("融合經濟發展戰略") == "융합경제발전전략"
    assert readings("物流管理") == "물류관리"
    assert readings("訓練時間") == "훈련시간"


def test_simplified_is_read_as_its_traditional_form() -> None:
    assert readings("融合经济发展战略") == "융합경제발전전략"
    assert readings("训练时间") == "훈련시간"
    # the readings table has the Simplified forms as other characters: 机 is 궤, 機 기; 台 is 태, 臺 대
    assert readings("机会") == "기회" and readings("舞台") == "무대"


def test_the_initial_sound_rule_applies_where_a_word_starts() -> None:
    assert readings("勞動") == "노동" and readings("勤勞") == "근로"
    assert readings("流通") == "유통" and readings("物流") == "물류"


def test_hangul_digits_and_latin_pass_through_readings() -> None:
    assert readings("2021年 AR 訓練과 교육") == "2021년 AR 훈련과 교육"


def test_only_hangul_becomes_bigrams() -> None:
    assert hangul_bigrams("물류관리 AR 2021 법") == ["물류", "류관", "관리", "법"]
    assert hangul_bigrams("물류관리 법", singles=False) == ["물류", "류관", "관리"]


def test_chinese_passages_give_marked_readings_and_korean_passages_plain_bigrams() -> None:
    chinese, korean = ReadingTokenizer().tokenize(["物流管理系統 AR 2021", "물류 관리 시스템"])
    assert chinese == [term + CHINESE_MARK for term in ["물류", "류관", "관리", "리계", "계통"]]
    assert korean == ["물류", "관리", "시스", "스템"]


def test_a_korean_query_asks_chinese_passages_with_bigrams_inside_its_words() -> None:
    [terms] = ReadingTokenizer().tokenize_queries(["물류관리 훈련 시간은 얼마나?"])
    assert terms == [term + CHINESE_MARK for term in ["물류", "류관", "관리", "훈련", "시간", "간은", "얼마", "마나"]]


def test_a_chinese_query_asks_korean_passages_in_either_script() -> None:
    tokenizer = ReadingTokenizer()
    traditional, simplified = tokenizer.tokenize_queries(["物流管理的訓練時間", "物流管理的训练时间"])
    assert traditional == simplified
    assert traditional == ["물류", "관리", "훈련", "시간"]  # inside jieba's words: no 류관 or 리적; 的 gives none


def test_it_is_a_registered_bridge_that_describes_its_readings() -> None:
    tokenizer = create_tokenizer("readings")
    assert isinstance(tokenizer, BridgeTokenizer)
    description = tokenizer.describe()
    assert description["name"] == "readings" and description["opencc_config"] == "s2t"
    assert description["hanja"] == "0.15.1" or description["hanja"][0].isdigit()
    assert {"opencc", "jieba", "mark"} <= set(description)
    assert not isinstance(create_tokenizer("bigrams"), BridgeTokenizer)
