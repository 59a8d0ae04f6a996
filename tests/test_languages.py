"""Telling the languages and Chinese scripts apart."""

from __future__ import annotations

import pytest

from assistant.languages import detect_language, normalize
from assistant.records import Language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("서울시는 메타버스 기본계획을 발표했다.", Language.KOREAN),
        ("首爾市政府提出元宇宙基本規劃。", Language.TRADITIONAL),
        ("首尔市政府提出元宇宙基本规划。", Language.SIMPLIFIED),
        ("Seoul announced a plan.", Language.OTHER),
        ("과학기술정보통신부(科學技術情報通信部)가 발표", Language.KOREAN),
    ],
)
def test_detect_language(text: str, language: Language) -> None:
    assert detect_language(text) == language


def test_ambiguous_chinese_follows_the_default() -> None:
    assert detect_language("元宇宙", Language.TRADITIONAL) == Language.TRADITIONAL


def test_normalize_folds_width_case_and_script() -> None:
    assert normalize("ＸＲ技術") == "xr技术"
