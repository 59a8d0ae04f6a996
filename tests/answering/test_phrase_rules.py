"""The rule reader: which words of a sentence answer a question (our own sentences, real kiwi and jieba)."""

from typing import Any

import pytest

from assistant.answering.phrase_rules import RuleReader, question_kind
from assistant.answering.readers import READERS, PhraseReader, create_reader
from assistant.records import Language
from assistant.settings import AnswerSettings


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("얼라이언스는 언제 출범했나요?", "date"),
        ("首爾計畫哪一年完成？", "date"),
        ("훈련에 투입하는 금액은 얼마인가요?", "number"),
        ("投入了多少韩元？", "number"),
        ("발표를 맡은 PM은 누구였어?", "person"),
        ("由誰負責？", "person"),
        ("박사는 어느 기관 소속인가요?", "place"),
        ("总部在哪里？", "place"),
        ("世界第一的是哪一個國家？", "place"),
        ("伽利略是哪裡人?", "place"),
        ("중점 방향의 첫 항목은?", "thing"),
    ],
)
def test_the_question_word_says_what_is_wanted(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def read(question: str, *sentences: str) -> str:
    phrase = RuleReader().read(question, list(sentences), Language.OTHER)
    assert phrase is not None
    assert sentences[phrase.sentence][phrase.start : phrase.end] == phrase.text
    return phrase.text


def test_dates_amounts_and_names_are_read_from_korean_sentences() -> None:
    sentence = "항만 관제 실증 사업은 2023년 4월에 시작했고 모두 45억 원이 들었으며 김하늘 연구원이 이끌었다."
    assert read("항만 관제 실증 사업은 언제 시작했나요?", sentence) == "2023년 4월"
    assert read("항만 관제 실증 사업에 든 돈은 얼마야?", sentence) == "45억 원"
    assert read("항만 관제 실증 사업을 이끈 사람은 누구야?", sentence).startswith("김하늘")


def test_dates_and_amounts_are_read_from_chinese_sentences() -> None:
    sentence = "港口虛擬管制試驗於2023年4月啟動，總共投入45億韓元。"
    assert read("港口虛擬管制試驗何時啟動？", sentence) == "2023年4月"
    assert read("港口虛擬管制試驗投入多少韓元？", sentence) == "45億韓元"


def test_a_number_the_question_gives_is_not_its_answer() -> None:
    sentence = "2025년까지 항만 관제 인력을 120명 늘린다."
    assert read("2025년까지 항만 관제 인력을 몇 명 늘리나요?", sentence) == "120명"


def test_a_count_in_korean_native_numbers_keeps_its_counter() -> None:
    # "몇 가지" is answered by "다섯 가지", not by the "하나" of "…의 하나로" ("one of") in the sentence before
    sentences = [
        "항만 진흥 계획은 인공지능과 디지털트윈을 결합하는 것을 중점 과제의 하나로 삼는다.",
        "항만 진흥 계획이 힘을 싣는 중점 과제는 다섯 가지로 정리된다.",
    ]
    phrase = RuleReader().read("항만 진흥 계획의 중점 과제는 몇 가지인가요?", sentences, Language.KOREAN)
    assert phrase is not None and phrase.text == "다섯 가지"
    assert read("항만 관제 센터는 몇 곳에 세워지나요?", "항만 관제 센터는 부산과 인천 두 곳에 세워진다.") == "두 곳"
    # 한/세/네 that open other words are no counts
    question, sentence = "세계 항만 연합에는 몇 개국이 있나요?", "세계 항만 연합은 한국이 이끈다."
    other = RuleReader().read(question, [sentence], Language.KOREAN)
    assert other is None or other.text not in ("세계", "한국", "한")


def test_a_question_for_a_period_gets_the_whole_period() -> None:
    sentences = ["항만 관제 계획은 2021년 3월 부산시가 내놓았다.", "세부 과제는 2022년부터 2025년까지 추진된다."]
    assert RuleReader().read("그럼 추진 기간은?", sentences, Language.KOREAN).text == "2022년부터 2025년까지"
    assert read("港口計畫的推動期間是？", "各項工作於2022年至2025年推動。") == "2022年至2025年"


def test_nothing_to_read_gives_nothing() -> None:
    assert RuleReader().read("언제?", [], Language.KOREAN) is None


def test_the_registry_builds_the_readers_settings_name() -> None:
    reader = create_reader(AnswerSettings())
    assert isinstance(reader, PhraseReader) and reader.id == "rules"
    assert create_reader(AnswerSettings(reader="none")) is None
    assert "transformers" in READERS.names()


def test_an_answer_may_end_in_the_question_s_own_head_noun() -> None:
    assert read("이 시장이 쉬는 요일은?", "이 시장은 매주 화요일에 쉬고 나머지 날에는 문을 연다.") == "화요일"
    assert read("这家茶馆主要卖什么茶？", "这家茶馆主要出售红茶，也卖一些点心。") == "红茶"


def test_a_leading_word_the_question_already_says_is_trimmed_off_a_phrase() -> None:
    assert read("这家茶馆主要出售什么茶？", "这家茶馆主要出售红茶，也卖一些点心。") == "红茶"


def test_the_head_noun_stands_next_to_the_question_word() -> None:
    from assistant.answering.phrase_rules import head_of
    from assistant.answering.sentence_scoring import content_words

    for question, head in (
        ("这家茶馆主要卖什么茶？", "茶"),
        ("이 시장이 쉬는 요일은?", "요일"),
        ("무슨 요일에 쉬나요?", "요일"),
    ):
        assert head_of(question, content_words(question)) == head


def test_chinese_numerals_make_dates_and_amounts() -> None:
    sentence = "新館於二〇一二年動工，二〇一五年正式開放。"
    assert read("新館在哪一年正式開放？", sentence) == "二〇一五年"


def test_a_korean_noun_made_a_verb_by_hada_is_no_phrase() -> None:
    from assistant.answering.phrase_rules import korean_spans
    from assistant.text.kiwi import analyse

    sentence = "반기문은 그 방침을 강조하는 발언을 하였다."
    spans = korean_spans(analyse([sentence])[0])
    assert [sentence[s.start : s.end] for s in spans] == ["반기문", "방침", "발언"]  # not "강조" of "강조하는"


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("금강산의 총면적은 530제곱킬로미터로 넓다.", "530제곱킬로미터"),
        ("면적은 약 250만 평방 킬로미터나 된다.", "250만 평방 킬로미터"),
        ("그녀는 15살에 결혼했다.", "15살"),
        ("雌狸长65-70厘米，尾巴很长。", "65-70厘米"),
        ("该市面积19.2平方公里，人口一万余人。", "19.2平方公里"),
        ("共收文、赋1104篇，诗961首。", "1104篇"),
        ("每年吸引游客3万余人。", "3万余人"),
    ],
)
def test_an_amount_keeps_its_unit(sentence: str, amount: str) -> None:
    from assistant.answering.phrase_rules import pattern_spans

    assert amount in [sentence[s.start : s.end] for s in pattern_spans(sentence)]


def test_a_chinese_enumeration_is_one_more_phrase() -> None:
    from assistant.answering.phrase_rules import Span, with_lists

    sentence = "大沙地站设有便利店、面包糕饼店以及洗衣店。"
    spans = [Span(6, 9, "thing"), Span(10, 15, "thing"), Span(17, 20, "thing")]
    joined = [sentence[s.start : s.end] for s in with_lists(sentence, spans)]
    assert joined[:3] == ["便利店", "面包糕饼店", "洗衣店"] and joined[3:] == ["便利店、面包糕饼店以及洗衣店"]
    two = with_lists("设有便利店和洗衣店。", [Span(2, 5, "thing"), Span(6, 9, "thing")])
    assert [s.start for s in two] == [2, 6, 2] and two[2].end == 9  # two items joined by 和 alone are one too
    assert len(with_lists("设有便利店，洗衣店。", [Span(2, 5, "thing"), Span(6, 9, "thing")])) == 2  # a comma: no list


def test_two_items_joined_by_ji_answer_together() -> None:
    sentence = "加拿大中文电台主要以粤语及普通话进行广播，部份时段亦有其他语言。"
    assert read("加拿大中文电台主要以什么语言进行广播？", sentence) == "粤语及普通话"


def test_a_phrase_of_a_lower_ranked_sentence_must_fit_clearly_better() -> None:
    # the date beside 啟動 in the second sentence stands closer, but the first sentence is the better one
    sentences = ["港口試驗在市政府核准之後，於2023年4月正式啟動。", "港口試驗2024年1月啟動第二階段。"]
    assert RuleReader().read("港口試驗何時啟動？", sentences, Language.OTHER).text == "2023年4月"


def test_a_time_word_without_digits_ends_a_chinese_phrase() -> None:
    from assistant.answering.phrase_rules import chinese_spans

    sentence = "韓國目前人均鋼鐵消費量居世界第一位。"
    assert [sentence[s.start : s.end] for s in chinese_spans(sentence)][:2] == ["韓國", "人均鋼鐵消費量"]
    assert read("人均鋼鐵消費量居世界第一的是哪一個國家？", sentence) == "韓國"


def test_chinese_characters_glossing_a_korean_word_are_no_phrase() -> None:
    from assistant.answering.phrase_rules import korean_spans
    from assistant.text.kiwi import analyse

    sentence = "수온은 물거품(水泡)과 같다."
    assert [sentence[s.start : s.end] for s in korean_spans(analyse([sentence])[0])] == ["수온", "물거품"]


def test_a_sentence_is_tagged_by_jieba_once_however_often_the_readers_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.answering import phrase_rules

    real = phrase_rules.jieba_tagger()
    cuts: list[str] = []

    class Counting:
        @staticmethod
        def cut(text: str) -> Any:
            cuts.append(text)
            return real.cut(text)

    monkeypatch.setattr(phrase_rules, "jieba_tagger", lambda: Counting)
    phrase_rules.tagged_words.cache_clear()
    sentence = "首爾市的元宇宙平台預計在2026年完成。"
    first = phrase_rules.chinese_spans(sentence)
    assert phrase_rules.chinese_spans(sentence) == first and len(cuts) == 1
    phrase_rules.tagged_words.cache_clear()


def test_a_reign_year_keeps_its_era_name() -> None:
    from assistant.answering.phrase_rules import pattern_spans

    def dates(sentence: str) -> list[str]:
        return [sentence[s.start : s.end] for s in pattern_spans(sentence) if s.kind == "date"]

    assert dates("清朝雍正十二年，復為嘉定府。") == ["雍正十二年"]
    assert dates("他在那裡住了約二十年。") == [] and dates("第二年他回國。") == []  # no era before the numeral
    assert read("吳帝孫權送去金銀財寶是在何時?", "嘉禾二年，孫權送去金銀財寶，欲立淵為燕王。") == "嘉禾二年"
