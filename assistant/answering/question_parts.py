"""What a question asks for and what it names, to check against the sentences retrieval found.

A question that asks for a value (언제/何時 a date, 몇/多少 a number, 얼마/多少 an amount) is answered
only by a sentence that holds such a value, other than the numbers the question gives itself: "몇 곳",
"幾所", "多少人" name the unit the number comes with, "예산"/"經費" ask for money, "多久"/"몇 년" for a
duration. A sentence that holds the question's words but no value of that kind is a near miss ("the
documents name the project but give no budget"). The names a question gives (kiwi's proper nouns,
jieba's person, place, organisation and other proper-noun words, Latin words) are what a question about
another city, country or product changes: a name found in no passage says the documents are about
something else. So does a year or count the question gives that the best sentence lacks ("the 2023
market size" over a sentence about 2025).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..languages import han_runs, has_hangul, normalize
from ..text.kiwi import analyse
from .phrase_rules import FITS, pattern_spans, question_kind, spans_of, tagged_words

DIGITS = re.compile(r"[0-9〇零一二两三四五六七八九十百千]+")
_NUMERAL = "[0-9〇零一二两三四五六七八九十百千万亿]"
_KOREAN_NUMERAL = "(?:[0-9]+|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무)"  # native words: 이곳 is "here"
_DATE_UNIT = re.compile(r"(?:년|월|일|年|月|日)\s*$")
# Patterns run on normalised text: lower case, Chinese folded to Simplified.
_DURATION = re.compile(
    r"多久|多长时间|多少年|多少天|多少个月|几年|几个月|几天|얼마\s*동안|얼마나\s*오래|몇\s*년|몇\s*개월|몇\s*달|며칠|기간"
)
_MONEY = re.compile(
    r"예산|금액|비용|돈|투자|투입|사업비|재원|经费|预算|金额|多少钱|费用|投资|投入|资金|拨款|出资|花费|成本|节省|省下"
)
_MONEY_UNIT = re.compile(r"원|달러|韩元|美元|元|币")
# A number counted in things (7개 분야, 20家, 300명): never an amount of money, whatever else it may be.
_COUNTED_THINGS = re.compile(
    r"(?:명|개|곳|건|개소|가지|권|종|층|척|살|회|번|人|名|位|个|家|所|项|座|台|件|条|种|本|篇|次|届|岁|层)$"
)
# The measure word after a how-many word: 몇 곳, 几所, 多少个.
_MEASURE = re.compile(
    r"(?:몇\s*|几|多少)(명|개|곳|건|가지|배|회|차|위|권|종|층|척|살|번째|단지|"
    r"个|所|家|位|名|人|次|项|座|台|本|种|条|件|篇|届|岁|层|倍|成|大|%)"
)  # 前几大: "among the top how many"
# A question that names a count without a question word: "누적 이용자 수", "参加人数".
_COUNT = re.compile(r"[가-힣]\s*수(?:는|가|를|도)?\s*[?？.]?\s*$|인원|人数|数量")
_PERCENT = re.compile(r"%|퍼센트|成|百分|分之")
# Measure words that count the same kind of thing and answer for each other (몇 곳 … 12개, 幾家 … 20個).
_SAME_COUNT = ("명 名 人 位", "개 곳 건 개소 가지 대 个 家 所 项 座 台 件 条 种 本 篇")  # 몇 개 … 7대 분야
# Words that name the kind of value asked (its period, budget, size, count), not what the value is about: the
# sentence that answers gives the value ("2022년부터 2026년까지") and seldom the word.
_KIND_WORD = re.compile(
    r"기간|시기|날짜|연도|예산|금액|비용|규모|수|인원|수치|액수|期间|时间|时期|日期|年份|预算|金额|费用|规模|数量|人数|数目"
)
_WHICH = re.compile(r"哪几|哪些")  # "which ones", not "how many"
_HOW_MANY = re.compile(r"多少|몇")
# A Korean name: one of the common surnames, then one or two syllables (the surnames cover ~97 % of people).
_PERSON_NAME = re.compile(
    r"(?:[김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함"
    r"변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉]|남궁|황보|제갈|선우|독고)[가-힣]{1,2}(?<![시군])"
)  # not a city or county (서울시, 양평군)
_LATIN = re.compile(r"[a-z][a-z0-9\-]{2,}")  # "xr", "ai", "vr": technologies more often than names
_LATIN_RUN = re.compile(r"[a-z]+")
_NUMBER = re.compile(r"[0-9]{2,}")
_NAME_FLAGS = ("nr", "ns", "nt", "nz", "eng")
_ENTITY_KINDS = ("person", "place", "name")
# What follows a Korean person's name: a title or an honorific ("유지상 교수", "송상훈 정보통신정책실장", "김정원 PM").
_NAME_AND_TITLE = re.compile(r"(?<![가-힣0-9A-Za-z])([가-힣]{2,4})(?=\s+([가-힣A-Za-z]+))")
_KOREAN_TITLE = re.compile(
    r"(?:교수|박사|실장|장관|차관|회장|사장|대표|이사|위원장|위원|의원|시장|지사|총장|원장|소장|국장|과장|부장|팀장|"
    r"청장|처장|센터장|단장|관장|연구원|기자|대통령|총리|의장|감독|선수|작가|씨|님|PM|CEO|CTO)"
    r"(?:[은는이가을를의도와과]|께서|에게|으로|로)?$"
)
GIVEN_SHARE = 0.6  # a phrase this much made of the question's own characters is what the question names, no answer
OTHER_UNIT = 0.3  # what a number with another unit (or a date for "how many") counts for
COUNTED = 0.0  # what a number counted in things (7개, 20家) counts for when money is asked


@dataclass(frozen=True, slots=True)
class AskedValue:
    """The value a question asks for: 'date' or 'number', its unit, and the digits the question gives itself."""

    kind: str
    unit: str | None
    duration: bool
    money: bool
    given: frozenset[str]


def asked_value(question: str) -> AskedValue | None:
    """The value the question asks for, or None when it asks for something else (a name, a place, a reason)."""
    kind = question_kind(question)
    normal = normalize(question)
    if kind == "thing" and _COUNT.search(normal):
        kind = "number"
    if kind not in ("date", "number") or (kind == "number" and _WHICH.search(normal) and not _HOW_MANY.search(normal)):
        return None
    measure = _MEASURE.search(normal)
    return AskedValue(
        kind,
        measure.group(1) if measure else None,
        bool(_DURATION.search(normal)),
        bool(_MONEY.search(normal)),
        frozenset(DIGITS.findall(normal)),
    )


def names_the_kind(word: str) -> bool:
    """Whether a content word names the kind of value a question asks (기간, 예산, 规模) rather than its subject."""
    return bool(_KIND_WORD.fullmatch(word))


def value_fit(asked: AskedValue, normal: str) -> float:
    """1 when the normalised sentence holds a value of the asked kind (and unit), ``OTHER_UNIT`` for a number of
    another kind, 0 when it holds none besides the question's own numbers."""
    unit = asked.unit
    if unit is not None and unit not in ("成", "%"):
        for match in re.finditer(_counted(unit), normal):
            digits = set(DIGITS.findall(match.group(0)))
            if not digits or not digits <= asked.given:
                return 1.0
    if unit in ("成", "%") and _PERCENT.search(normal):
        return 1.0
    best = 0.0
    for span in pattern_spans(normal):
        text = normal[span.start : span.end].strip()
        digits = set(DIGITS.findall(text))
        if not digits or digits <= asked.given:
            continue
        dated = span.kind == "date" or bool(_DATE_UNIT.search(text))
        if asked.kind == "date":
            fit = 1.0 if dated else OTHER_UNIT
        elif dated:
            fit = 1.0 if asked.duration else 0.0
        elif unit is not None and unit not in ("成", "%"):
            fit = OTHER_UNIT
        elif unit is not None:
            fit = 1.0 if _PERCENT.search(text) else OTHER_UNIT
        elif asked.money:
            fit = 1.0 if _MONEY_UNIT.search(text) or _PERCENT.search(text) else OTHER_UNIT  # "cost cut by 10%"
            fit = COUNTED if fit < 1.0 and _COUNTED_THINGS.search(text) else fit
        else:
            fit = 1.0
        best = max(best, fit)
    return best


def asked_entity(question: str) -> str | None:
    """'person', 'place' or 'name' when the question asks for one (누구, 어디, 哪個單位, 叫什麼), else None."""
    kind = question_kind(question)
    return kind if kind in _ENTITY_KINDS else None


def entity_fit(wanted: str, sentence: str, question: str) -> float:
    """How well the sentence's best-fitting phrase names what is asked (``phrase_rules.FITS``: a person for 누구,
    a place or body for 어디 …), leaving out what the question names itself and Latin words under three letters
    ("XR", "VR": technologies, not names)."""
    asked = normalize(question)
    if wanted == "person" and any(name not in asked for name in korean_people(sentence)):
        return 1.0
    best = 0.0
    for span in spans_of([sentence])[0]:
        text = normalize(sentence[span.start : span.end]).strip()
        if not text or sum(ch in asked for ch in text) / len(text) > GIVEN_SHARE:
            continue
        latin = _LATIN_RUN.findall(text)
        kind = "thing" if span.kind == "name" and latin and max(map(len, latin)) < 3 else span.kind
        best = max(best, FITS[wanted].get(kind, 0.0))
    return best


def korean_people(sentence: str) -> list[str]:
    """Korean person names in a sentence: a word of a common surname and one or two syllables that kiwi starts
    with a proper noun, followed by a word that ends in a title ("광운대 유지상 교수" → 유지상, "이준우 PM"). kiwi
    tags companies and places NNP as well, so a name alone does not say "person"; the title does."""
    if not has_hangul(sentence):
        return []
    proper = {t.start for t in analyse([sentence])[0] if t.tag == "NNP"}
    return [
        m[1]
        for m in _NAME_AND_TITLE.finditer(sentence)
        if m.start(1) in proper and _PERSON_NAME.fullmatch(m[1]) and _KOREAN_TITLE.search(m[2])
    ]


def numbers_of(question: str) -> frozenset[str]:
    """The numbers of two digits or more the question gives (years, counts): the sentence that answers it holds
    them too, or its document's title does."""
    return frozenset(_NUMBER.findall(normalize(question)))


@lru_cache(maxsize=256)
def _counted(unit: str) -> str:
    """A pattern for a number followed by the unit or a measure word that counts the same kind of thing."""
    units = next((group.split() for group in _SAME_COUNT if unit in group.split()), [unit])
    korean = [u for u in units if has_hangul(u)]
    chinese = [u for u in units if not has_hangul(u)]
    parts = [f"{_KOREAN_NUMERAL}+\\s*[천만억조]?\\s*(?:{'|'.join(korean)})"] if korean else []  # 32만 권
    parts += [f"{_NUMERAL}+\\s*(?:{'|'.join(map(re.escape, chinese))})"] if chinese else []
    return "|".join(parts)


@lru_cache(maxsize=1024)
def names_of(question: str) -> tuple[str, ...]:
    """The names the question gives, normalised: Korean proper nouns, Chinese person, place, organisation and
    other proper-noun words (two characters or more each), Latin words of three letters or more."""
    normal = normalize(question)
    found: set[str] = set()
    korean: list[str] = []
    for is_han, start, end in han_runs(normal):
        run = normal[start:end]
        if is_han:
            found.update(w for w, flag in tagged_words(run) if flag.startswith(_NAME_FLAGS) and len(w) > 1)
        elif has_hangul(run):
            korean.append(run)
        else:
            found.update(_LATIN.findall(run))
    for tokens in analyse(korean):
        found.update(t.form for t in tokens if t.tag in ("NNP", "SL") and len(t.form) > 1)
    return tuple(sorted(found))
