"""Question-word slots: the words standing where the question word stands (our own sentences, real kiwi and jieba)."""

import pytest

from assistant.answering.phrase_rules import RuleReader
from assistant.answering.phrase_slots import find_slot
from assistant.records import Language


def slot_text(question: str, *sentences: str) -> str:
    phrase = RuleReader().read(question, list(sentences), Language.OTHER)
    assert phrase is not None
    assert sentences[phrase.sentence][phrase.start : phrase.end] == phrase.text
    return phrase.text


def test_the_slot_lines_up_the_words_around_the_question_word() -> None:
    slot = find_slot("青石镇以什么手工艺闻名？")
    assert slot.head == "手工艺" and slot.after[0] == "手工艺" and "闻名" in slot.after
    assert "青石" in slot.before
    ending = find_slot("한빛 천문대를 설계한 건축가는 누구인가?")
    assert ending.head == "건축가" and ending.after == () and ending.kind == "person"


def test_a_question_word_that_asks_no_noun_has_no_head() -> None:
    assert find_slot("港口虛擬管制試驗何時啟動？").head == ""
    assert find_slot("한빛 천문대는 언제 문을 열었나?").head == ""


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        ("青石镇以什么手工艺闻名？", "青石镇以竹编手工艺闻名，镇上有两百多家作坊。", "竹编手工艺"),
        ("雲峰書院的藏書樓每年在什麼季節對外開放？", "雲峰書院的藏書樓收藏了大量宋代刻本，每年春季對外開放。", "春季"),
        ("雲峰書院的藏書樓收藏了哪一類古籍？", "雲峰書院的藏書樓收藏了大量宋代刻本，每年春季開放。", "大量宋代刻本"),
        ("한빛 천문대를 설계한 건축가는 누구인가?", "천문대는 건축가 윤서진이 설계했다.", "윤서진"),
    ],
)  # fmt: skip
def test_the_phrase_in_the_slot_is_read(question: str, sentence: str, answer: str) -> None:
    assert slot_text(question, sentence) == answer


def test_korean_particles_and_the_question_s_own_words_are_left_out() -> None:
    sentence = "한빛 천문대는 청주시 외곽의 언덕 위에 세워졌고, 매달 관측회를 연다."
    # "열고 있는", not "여는": kiwi reads "여는" as the pronoun 여 and a particle, so the question's verb is lost
    assert slot_text("한빛 천문대가 매달 열고 있는 행사는 무엇인가?", sentence) == "관측회"  # not "달 관측회를"


def test_the_slot_reaches_the_head_noun_the_question_word_asks_about() -> None:
    sentence = "청주시 천문대 밑에서 관측 교실을 열었으며, 대전시 과학관 밑에서 전시를 했다."
    assert slot_text("그 모임은 어느 천문대 밑에서 관측 교실을 열었나?", sentence) == "청주시 천문대"


def test_the_sentence_ranked_first_counts_most() -> None:
    first = "바람개비 축제는 해마다 가을에 남쪽 바닷가 마을에서 열린다."
    second = "바람개비 축제는 해마다 봄에 북쪽 바닷가 마을에서 열렸다고 전한다."
    phrase = RuleReader().read("바람개비 축제는 해마다 어느 계절에 열리나?", [first, second], Language.OTHER)
    assert phrase is not None and phrase.sentence == 0


def test_no_word_of_the_question_in_the_sentences_gives_nothing() -> None:
    assert RuleReader().read("바람개비 축제는 어디서 열리나?", ["오늘은 비가 많이 내렸다."], Language.OTHER) is None
    assert RuleReader().read("누구?", ["윤서진이 설계했다."], Language.OTHER) is None


def test_the_rules_reader_answers_a_plain_thing_question_through_the_slot() -> None:
    question = "한빛 천문대는 매달 무엇을 여나?"
    sentence = "한빛 천문대는 청주시 외곽에 있고, 매달 관측회를 연다."
    phrase = RuleReader().read(question, [sentence], Language.KOREAN)
    assert phrase is not None and phrase.text == "관측회"


def test_a_piece_cut_at_the_question_s_word_leaves_the_enumeration_s_joint_out() -> None:
    from assistant.answering.phrase_rules import Span
    from assistant.answering.phrase_slots import _pieces

    normal = "矿区出产花岗岩与大理石。"
    pieces = _pieces(Span(4, 11, "thing"), {"花岗岩": [4]}, normal)
    assert [normal[p.start : p.end] for p in pieces] == ["花岗岩与大理石", "大理石"]  # not "与大理石"


def test_a_single_character_left_of_a_cut_phrase_is_no_answer_unless_it_is_a_numeral() -> None:
    # "世界第一位" cut at the question's "世界" and "第一" leaves "位": a measure word, not the answer
    phrase = RuleReader().read(
        "人均鋼鐵消費量居世界第一的是哪一個國家？", ["韓國目前人均鋼鐵消費量居世界第一位。"], Language.OTHER
    )
    assert phrase is None or phrase.text != "位"
