"""Questions for another name: the words after the sentence's naming word (our own sentences)."""

import pytest

from assistant.answering.phrase_aliases import alias_phrase, asks_alias
from assistant.answering.phrase_rules import RuleReader
from assistant.records import Language


@pytest.mark.parametrize(
    ("question", "alias"),
    [
        ("这座山又叫什么？", True),
        ("這種魚的俗名叫什麼？", True),
        ("这种药又被称为什么？", True),
        ("这座山叫什么名字？", False),  # a name, read by the slot
        ("这座山是什么？", False),
    ],
)
def test_a_question_for_another_name_is_told_apart(question: str, alias: bool) -> None:
    assert asks_alias(question) is alias


@pytest.mark.parametrize(
    ("question", "sentence", "name"),
    [
        ("青石山又叫什么？", "青石山，又名白石山、黑石岭，是本地最高的山。", "白石山、黑石岭"),
        ("这种药又被称为什么？", "这种药（medicina）也称为百灵散，是一种常用药。", "百灵散"),
        ("這種魚的俗名叫什麼？", "這種魚，俗名為厚殼仔，屬於鱸形目。", "厚殼仔"),
        ("这部电影又被译成什么？", "《远方》（），又译《远方的家》，是一部动画电影。", "《远方的家》"),
    ],
)
def test_the_name_after_the_naming_word_is_read(question: str, sentence: str, name: str) -> None:
    phrase = alias_phrase(question, [sentence])
    assert phrase is not None and phrase.text == name
    assert sentence[phrase.start : phrase.end] == name


def test_a_name_the_question_says_itself_is_not_the_other_name() -> None:
    sentences = ["白石山又名青石山。", "青石山又名黑石岭。"]
    phrase = RuleReader().read("青石山又叫什么？", sentences, Language.SIMPLIFIED)
    assert phrase is not None and (phrase.sentence, phrase.text) == (1, "黑石岭")
