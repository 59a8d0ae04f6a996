"""What counts as a claim in an answer: facts do, greetings, lead-ins and "the documents do not say" do not."""

from __future__ import annotations

import pytest

from assistant.answering.claims import is_claim
from assistant.answering.prompts import PromptLibrary
from assistant.records import Language


@pytest.mark.parametrize(
    "sentence",
    [
        "정부는 가상융합산업 진흥법을 2024년에 시행했다.",
        "首爾市推出元宇宙平台。",
        "韩国政府计划到2025年把扩展现实市场规模做到30万亿韩元。",
        "The plan runs from 2022 to 2026.",
        "문서에는 2024년 집행 기관이 나와 있지 않습니다.",  # a number in it: checked
        "궁금한 점은 디지털콘텐츠과로 문의하면 된다.",  # advice from a document is a fact to check
    ],
)
def test_facts_are_claims(sentence: str) -> None:
    assert is_claim(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "네.",
        "12",
        "안녕하세요!",
        "감사합니다.",
        "도움이 되었기를 바랍니다.",
        "더 궁금한 점이 있으면 언제든지 물어보세요.",
        "您好！",
        "希望以上内容对您有帮助。",
        "希望對您有幫助。",
        "如有其他问题，欢迎随时提问。",
        "I hope this helps!",
        "Thank you for your question.",
        "자료에 따르면 다음과 같습니다:",
        "根據資料：",
        "From the documents, quoted in their own language:",
        "문서에는 집행 기관이 나와 있지 않습니다.",
        "资料中没有提到具体的预算。",
        "The passages do not mention the budget.",
    ],
)
def test_talk_is_not_a_claim(sentence: str) -> None:
    assert not is_claim(sentence)


def test_our_own_texts_are_not_claims() -> None:
    library = PromptLibrary()
    for language in Language:
        for own in (library.for_language(language).not_found, library.for_language(language).quoted):
            sentences = [part for part in own.replace("。", "。\n").replace(". ", ".\n").splitlines() if part]
            assert all(not is_claim(sentence, ours=(own,)) for sentence in sentences), own
    advice = "질문을 다른 말로 바꾸거나 관련 문서를 추가해 주세요."
    assert is_claim(advice) and not is_claim(advice, ours=("… 찾지 못했습니다. " + advice,))
