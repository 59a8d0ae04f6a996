"""Telling the languages and Chinese scripts apart."""

from __future__ import annotations

import re

import pytest

from assistant.languages import chinese_script, detect_language, normalize, to_simplified, to_traditional
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


def _script_by_characters(text: str, default: Language) -> Language:
    """``chinese_script`` as first written, a Python comparison per character (the reference it must match)."""
    han = "".join(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+", text))
    if not han:
        return Language.OTHER
    simplified, traditional = to_simplified(han), to_traditional(han)
    traditional_only = sum(a != b for a, b in zip(han, simplified, strict=False))
    simplified_only = sum(a != b and a != "台" for a, b in zip(han, traditional, strict=False))
    if traditional_only == simplified_only:
        return default
    return Language.TRADITIONAL if traditional_only > simplified_only else Language.SIMPLIFIED


@pytest.mark.parametrize(
    "text",
    ["台灣", "台湾", "台", "後台", "后台", "臺灣大學", "乾隆皇帝", "干燥", "元宇宙", "OK", "", "首爾 서울", "發展战略"],
)
def test_chinese_script_counts_as_a_comparison_per_character_does(text: str) -> None:
    for default in (Language.SIMPLIFIED, Language.TRADITIONAL):
        assert chinese_script(text, default) == _script_by_characters(text, default)


def test_tai_alone_does_not_make_text_simplified() -> None:
    assert chinese_script("台灣") == Language.TRADITIONAL
    assert chinese_script("台湾") == Language.SIMPLIFIED
