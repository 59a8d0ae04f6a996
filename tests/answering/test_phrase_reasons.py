"""Why-questions: the clause a sentence gives as the reason (our own sentences)."""

import pytest

from assistant.answering.phrase_reasons import asks_reason, reason_phrase
from assistant.answering.phrase_rules import RuleReader
from assistant.records import Language


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("小镇为什么改名？", True),
        ("古庙為何被列為古蹟？", True),
        ("什么原因导致出行不便？", True),
        ("这条线在2010年改名为什么？", False),  # a name: 改名为 + 什么
        ("这种蛇在中国被称为什么？", False),
        ("这座桥是什么时候建成的？", False),
    ],
)
def test_a_why_question_is_told_from_a_question_for_a_name(question: str, why: bool) -> None:
    assert asks_reason(question) is why


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("由于古庙三面环山，而且山区都是郊野公园，所以必须走山径前往。", "古庙三面环山，而且山区都是郊野公园"),
        ("他原名苏博，因为婶婶认为他命中缺金，改名镜宇。", "婶婶认为他命中缺金"),
        ("两兄弟为了躲避灾祸，以父亲之名冠为姓。", "躲避灾祸"),
        ("他被取消成绩，原因是比赛中故意干扰相邻赛道的选手。", "比赛中故意干扰相邻赛道的选手"),
        ("小镇因文物古迹丰富而被评为历史文化名镇。", "文物古迹丰富"),
        ("她的文章写得认真又亲切，网志因而大受欢迎。", "她的文章写得认真又亲切"),
    ],
)
def test_the_reason_clause_is_read(sentence: str, reason: str) -> None:
    phrase = reason_phrase([sentence])
    assert phrase is not None and phrase.text == reason
    assert sentence[phrase.start : phrase.end] == phrase.text


def test_a_sentence_without_a_reason_gives_none_and_the_best_one_with_a_reason_answers() -> None:
    assert reason_phrase(["小镇位于河的北岸。"]) is None
    sentences = ["小镇位于河的北岸。", "小镇因盛产茶叶而得名。"]
    phrase = RuleReader().read("小镇为什么得名？", sentences, Language.SIMPLIFIED)
    assert phrase is not None and (phrase.sentence, phrase.text) == (1, "盛产茶叶")
