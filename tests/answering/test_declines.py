"""Telling a model's decline from an answer."""

from assistant.answering.declines import is_decline

NOT_FOUND = "올려 주신 문서에서는 이 질문에 대한 답을 찾지 못했습니다."


def test_declines_in_each_language_are_recognised() -> None:
    assert is_decline(NOT_FOUND, NOT_FOUND)
    assert is_decline("자료에는 예산이 나와 있지 않습니다.", NOT_FOUND)
    assert is_decline("文件中沒有提到這個計畫的預算。", NOT_FOUND)
    assert is_decline("资料中找不到相关信息。", NOT_FOUND)
    assert is_decline("The documents do not say how large the budget is.", NOT_FOUND)


def test_an_answer_with_citations_or_without_a_decline_is_an_answer() -> None:
    assert not is_decline("예산은 62억 원입니다 [1]. 다른 연도는 나와 있지 않습니다.", NOT_FOUND)
    assert not is_decline("디지털콘텐츠과가 담당합니다.", NOT_FOUND)
    assert not is_decline("", NOT_FOUND)
    assert not is_decline("找不到" + "很长的回答" * 60, NOT_FOUND)
