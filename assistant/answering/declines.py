"""Telling a model's "the documents do not say" apart from an answer, so a decline is marked as one."""

from __future__ import annotations

import re

from .citations import MARKER

_DECLINE = re.compile(
    r"찾을 수 없|찾지 못했|나와 있지 않|나와있지 않|언급되어 있지 않|언급이 없|포함되어 있지 않|담겨 있지 않|알 수 없|"
    r"정보가 없|내용이 없|找不到|沒有提到|没有提到|未提及|未提到|沒有相關|没有相关|無法回答|无法回答|未提供|"
    r"沒有說明|没有说明|"
    r"並未|并未|do(?:es)? not (?:contain|say|mention|include)|(?:don't|doesn't) (?:contain|say|mention)|"
    r"not mentioned|cannot find|can't find|could not find|no information",
    re.IGNORECASE,
)
MAX_DECLINE_CHARS = 240  # a longer reply is an answer that also notes what is missing


def is_decline(text: str, not_found: str) -> bool:
    """Whether a model's reply says the passages do not answer (no citation markers, short, a decline phrase)."""
    plain = text.strip()
    if not plain:
        return False
    if plain == not_found.strip():
        return True
    if MARKER.search(plain) or len(plain) > MAX_DECLINE_CHARS:
        return False
    return _DECLINE.search(plain) is not None
