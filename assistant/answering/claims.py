"""Which sentences of an answer claim something a passage must support, and which are only talk.

A sentence makes no claim when it is

- too short to check (a heading, a lone number, "네."),
- a greeting or courtesy line ("안녕하세요", "希望对您有帮助", "I hope this helps"),
- a lead-in line that ends in a colon ("중국어 문서에서 인용했습니다:", "如下："),
- a note that the documents do not say something, naming the documents and holding no number
  ("문서에는 집행 기관이 나와 있지 않습니다", "资料中没有提到预算"), or
- one of our own texts (the not-found answer, the quoted-language line), given by the caller.

Every other sentence is a claim. Patterns run on normalised text (NFKC, lower case, Simplified Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..languages import normalize

MIN_CHARS = 4  # fewer letters and digits than this is too little to check

_END = r"[\s.!~。！…]*$"
_COURTESY = re.compile(
    r"^(?:"
    r"네|예|아니요|안녕하세요|안녕하십니까|감사합니다|고맙습니다|알겠습니다|물론입니다|좋은 질문(?:입니다|이네요)|"
    r"도움이 (?:되었|되셨|됐)?(?:으면|기를|길) (?:좋겠습니다|바랍니다)|"
    r"(?:더 |추가로 |다른 )?궁금한 (?:점|것|사항)이 (?:있으면|있으시면|있다면) "
    r"(?:언제든지? )?(?:물어|질문해|문의해) ?(?:주세요|보세요)|"
    r"您好|你好|谢谢|好的|当然|(?:谢谢|感谢)(?:您|你)的提问|"
    r"希望(?:以上|这些)?(?:内容|信息|回答|答案)?(?:对您|对你)?有(?:所)?帮助|"
    r"如(?:果)?(?:还)?有(?:其他|任何)?(?:问题|疑问)[，,]?\s*(?:欢迎|请)?(?:随时)?(?:提问|询问|再问|告诉我)|"
    r"hi|hello|sure|of course|thanks|thank you(?: for (?:your|the) question)?|good question|great question|"
    r"i hope (?:this|that) helps|hope this helps|"
    r"(?:let me know|feel free to ask) if you have (?:any )?(?:other |more |further )?questions"
    rf"){_END}"
)
_LEAD_IN = re.compile(r"(?:[:：]|다음과 같(?:습니다|다)[.]?|如下[。]?|as follows[.]?)\s*$")
_DOCUMENTS = re.compile(r"문서|자료|본문|원문|文件|文档|资料|段落|原文|上文|document|passage|source|text|context")
_ABSENT = re.compile(
    r"찾을 수 없|찾지 못했|나와 있지 않|나와있지 않|언급되어 있지 않|언급이 없|포함되어 있지 않|담겨 있지 않|"
    r"확인할 수 없|확인되지 않|찾아볼 수 없|"
    r"找不到|没有提到|没有提及|未提及|未提到|没有相关|未提供|没有说明|未说明|没有记载|未记载|没有给出|"
    r"do(?:es)? not (?:contain|say|mention|include|state|specify)|(?:don't|doesn't) (?:contain|say|mention)|"
    r"not mentioned|cannot find|can't find|could not find|no information"
)
_DIGIT = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿]")


def is_claim(sentence: str, ours: Iterable[str] = ()) -> bool:
    """Whether a sentence of an answer claims something that a passage must support.

    ``ours`` are texts the assistant wrote itself (the not-found answer, the quoted-language line): none of
    their sentences is a claim.
    """
    text = normalize(sentence).strip()
    if sum(ch.isalnum() for ch in text) < MIN_CHARS:
        return False
    if _COURTESY.match(text) or _LEAD_IN.search(text):
        return False
    if _DOCUMENTS.search(text) and _ABSENT.search(text) and not _DIGIT.search(text):
        return False
    return not any(text in normalize(own) for own in ours if own)
