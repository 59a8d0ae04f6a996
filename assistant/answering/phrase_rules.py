"""The default phrase reader: the words of a sentence that answer a question, found without a model.

The question word says what kind of phrase is wanted (언제/何時 a date, 몇/多少 an amount, 누구/誰 a
person, 어디/哪裡 a place or body, anything else a noun phrase). Each sentence is cut into noun phrases
by kiwi's tags (Korean) or jieba's (Chinese), numbers with their units and dates by pattern (here);
``phrase_slots`` cuts them again where the question's words stand, ``phrase_features`` describes each
candidate (its kind against the kind asked, how closely the question's words stand on its sides, how
much of it the question already says, its sentence's rank) and ``phrase_ranker`` picks the one its
fitted weights score best. A why-question's reason clause and an alias question's other name are read
first (``phrase_reasons``, ``phrase_aliases``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..languages import has_hangul, normalize, to_simplified
from ..records import Language
from ..text.kiwi import analyse
from ..text.morphemes import jieba_tagger
from .readers import Phrase

_KINDS = (
    ("date", re.compile(r"언제|몇\s*년|몇\s*월|며칠|연도|날짜|시기|何時|何时|什麼時候|什么时候|哪一?年|幾年|几年|"
                        r"哪一?天|幾月|几月|年份|日期|기간|期間|期间")),
    ("number", re.compile(r"몇|얼마|규모|금액|비율|번호|多少|幾|几|多大|多長|多长|多久|多高|多重|金額|金额|"
                          r"規模|规模|比例|電話|电话|號碼|号码")),
    ("person", re.compile(r"누구|누가|인물|誰|谁|何人|哪位|哪一位")),
    ("place", re.compile(r"어디|어느\s*(?:곳|지역|나라|국가|도시|기관|대학|회사|부서)|哪裡|哪里|哪兒|哪儿|何處|何处|"
                         r"哪一?[個个]?(?:國家|国家|城市|機構|机构|單位|单位|地方)|哪一?[国國座所家]|哪[裡里]人")),
    ("name", re.compile(r"이름|명칭|名字|名稱|名称|叫什么|叫什麼|叫做什么|叫做什麼")),
)  # fmt: skip
# Words that ask (normalised, Simplified): the head noun stands next to one of them.
_ASKING = re.compile(r"什么|甚么|哪|谁|几|多少|何|무엇|무슨|누구|누가|언제|어디|어느|어떤|얼마|몇|뭐|뭔")
_D = "[0-9〇零一二三四五六七八九十]"  # a digit, Arabic or Chinese
# Chinese units and measure words an amount keeps ("19.2平方公里", "1104篇", "3万余人"), longer ones first.
_CHINESE_UNIT = (
    r"(?:平方|立方)?(?:公里|千米|公尺|米|英里|英尺|厘米|釐米)|公頃|公顷|公斤|千克|公噸|公吨|噸|吨|克|英畝|英亩|畝|亩|"
    r"韓元|韩元|美元|港元|港幣|港币|日元|歐元|欧元|英鎊|英镑|人民幣|人民币|新台幣|新台币|元|"
    r"年代|個月|个月|小時|小时|分鐘|分钟|世紀|世纪|週年|周年|年|月|日|天|週|周|秒|歲|岁|"
    r"人|個|个|家|項|项|倍|次|名|位|台|所|種|种|本|座|層|层|篇|首|部|張|张|條|条|場|场|屆|届|艘|架|輛|辆|"
    r"隻|只|頭|头|件|份|集|章|卷|冊|册|枚|票|戶|户|間|间|棟|栋|度|分"
)
_NUMBER = re.compile(
    rf"{_D}[0-9〇零一二三四五六七八九十百千,.]*(?:\s*[~∼〜-]\s*{_D}[0-9〇零一二三四五六七八九十百千,.]*)*\s*"
    r"(?:[조억만천]|[萬万億亿兆千百])?\s*(?:[余餘多]\s*)?"
    r"(?:원|달러|명|개|곳|건|배|퍼센트|%|년대|년|개월|월|일|시간|분|회|차|위|권|종|층|대|척|살|세|번|가지|"
    rf"(?:평방\s*|제곱\s*)?(?:킬로미터|미터|센티미터)|km|{_CHINESE_UNIT})?"
)
# A Korean native number with its counter ("다섯 가지", "세 곳", "두 명", "스무 개"): the counter is required, for
# 한/세/네 open many other words ("한국", "세계"); never after another syllable ("다세대") nor before one that is
# not a particle ("대학").
_TENS = r"(?:열|스무|스물|서른|마흔|쉰)"
_NATIVE = rf"(?:{_TENS}\s*)?(?:하나|한|둘|두|셋|세|넷|네|다섯|여섯|일곱|여덟|아홉)|{_TENS}"
_COUNTER = r"(?:가지|개국|개|명|곳|군데|건|권|번|차례|대|척|마리|살|층|분야|종류)"
_KOREAN_COUNT = re.compile(
    rf"(?<![가-힣])(?:{_NATIVE})\s*{_COUNTER}(?=$|[^가-힣]|[은는이가을를의로와과에도만씩]|으로|이다|였|입)"
)
_ONE_DATE = (rf"(?:{_D}{{4}}\s*(?:년|年)(?:\s*{_D}{{1,2}}\s*(?:월|月))?(?:\s*{_D}{{1,3}}\s*(?:일|日))?|"
             rf"{_D}{{1,2}}\s*(?:월|月)(?:\s*{_D}{{1,3}}\s*(?:일|日))?)")  # fmt: skip
# a period is one phrase: "2022년부터 2026년까지", "2022年至2026年"
_RANGE_MARK = r"부터|에서|~|∼|〜|–|-|至|到"
_DATE = re.compile(rf"{_ONE_DATE}(?:\s*(?:{_RANGE_MARK})\s*{_ONE_DATE}(?:\s*까지)?)?")
# a reign's year in Chinese numerals after the era's name ("嘉禾二年", "雍正十二年", "民國十四年"); two characters of
# grammar, counting or a numeral before it ("約二十年", "第二年", "了三年") make no era
_ERA = re.compile(r"([\u4e00-\u9fff]{2})(?:元|[一二三四五六七八九十]{1,3})年")
_NO_ERA = re.compile(
    r"[了的在於于是為为有和與与及至到約约近共第每這这那其該该從从自再逾多數数後后前經经滿满已〇零一二三四五六七八九十百千]"
)
_PERIOD = re.compile(r"기간|期間|期间")
_DATE_RANGE = re.compile(_RANGE_MARK)
_KOREAN_NOUN = frozenset({"NNG", "NNP", "NNB", "NR", "SN", "SL", "SH", "XPN", "XSN", "W_SERIAL"})
_LAST_ITEM = frozenset({"和", "与", "與", "及", "以及", "或"})  # what joins the last item of an enumeration
_VERB_SUFFIX = frozenset({"XSV", "XSA"})  # 하다/되다/스럽다 after a noun make it a verb or an adjective
_CHINESE_NOUN = ("n", "nr", "ns", "nt", "nz", "ng", "eng", "m", "q", "t", "vn", "nrt", "nrfg", "j", "l")
# Time words jieba tags as nouns ('t') that say when a clause happens, never part of a phrase (Simplified).
_WHEN = re.compile(
    r"目前|现在|当时|后来|此时|如今|同时|当今|现今|今天|今日|此后|之后|之前|以前|以后|最近|近年|近年来|"
    r"随后|其后|当年|那时|这时|日后|未来|过去|从前|原先|起初|最初|最后|早年|晚年|其时|期间|届时"
)
_DIGITS = re.compile(r"[0-9〇零一二三四五六七八九十百千]+")
_UNITS = re.compile(
    r"원|달러|명|가지|개|곳|군데|%|퍼센트|배|권|종|韓元|韩元|美元|元|人|名|個|个|家|倍|分鐘|分钟|小時|小时|天|次|米|本|种|"
    r"篇|首|部|张|条|场|届|岁|公里|公顷|吨|公斤|艘|架|座|所|位"
)
_EDGE = " \t\n,.;:!?，。、；：！？「」『』“”‘’\"'()（）[]【】《》〈〉·-—"
# How well a phrase of each kind fits each kind of question; a kind not listed is no answer to it. A question
# that names no kind ('thing') is answered only by a phrase ending in its head noun ("绿茶" for "什么茶"): other
# noun phrases were right too rarely to be shown first.
FITS = {"date": {"date": 1.0, "number": 0.6}, "number": {"number": 1.0, "date": 0.7},
        "person": {"person": 1.0, "name": 0.7, "thing": 0.3}, "place": {"place": 1.0, "name": 0.7, "thing": 0.4},
        "name": {"name": 1.0, "person": 0.8, "place": 0.8},
        "thing": {"thing": 0.6, "name": 0.6, "person": 0.5, "place": 0.5, "number": 0.4, "date": 0.4}}  # fmt: skip
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate phrase: offsets in its sentence and what kind of thing it names."""

    start: int
    end: int
    kind: str


def question_kind(question: str) -> str:
    """What the question asks for: 'date', 'number', 'person', 'place' or 'thing'."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return "thing"


def spans_of(sentences: Sequence[str]) -> list[list[Span]]:
    """Each sentence's noun runs: Korean ones by kiwi (one batch for all), the others by jieba."""
    korean = [i for i, sentence in enumerate(sentences) if has_hangul(sentence)]
    by_kiwi = dict(zip(korean, map(korean_spans, analyse([sentences[i] for i in korean])), strict=True))
    return [by_kiwi[i] if i in by_kiwi else chinese_spans(sentence) for i, sentence in enumerate(sentences)]


def korean_spans(tokens: Sequence[Any]) -> list[Span]:
    """Runs of noun-like kiwi tokens of one sentence (particles and endings cut off), with their kind."""
    spans: list[Span] = []
    run: list[Any] = []
    previous, opened = "", False  # the tag before the run: an opening bracket makes it an aside
    for token in [*tokens, None]:
        joined = token is not None and token.tag in _KOREAN_NOUN
        if joined and run and token.start - (run[-1].start + run[-1].len) > 1:
            joined = False
        if joined:
            opened = opened if run else previous == "SSO"
            run.append(token)
            continue
        if run and token is not None and token.tag in _VERB_SUFFIX and token.start == run[-1].start + run[-1].len:
            run.pop()  # "강조" of "강조하는", "감지" of "감지하지만": a verb's stem, not a noun phrase
        if run and opened and all(t.tag == "SH" for t in run):
            run = []  # Chinese characters in brackets gloss the Korean word before them ("물거품[水泡]")
        if run:
            tags = {t.tag for t in run}
            kind = "number" if tags & {"SN", "NR", "W_SERIAL"} else "name" if tags & {"NNP", "SL"} else "thing"
            spans.append(Span(run[0].start, run[-1].start + run[-1].len, kind))
        run = []
        if token is not None and token.tag in _KOREAN_NOUN:
            run = [token]
            opened = previous == "SSO"
        previous = token.tag if token is not None else ""
    return spans


@lru_cache(maxsize=4096)
def tagged_words(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's words of a Chinese text with their part-of-speech flags ('nr' a person, 'ns' a place …), in order.

    Remembered per text: the readers tag the same few sentences several times per answer (~6 ms of CPU each
    answer before), and a text's tags depend on nothing else."""
    with _lock:
        return tuple((w.word, w.flag) for w in jieba_tagger().cut(text))


def chinese_spans(sentence: str) -> list[Span]:
    """Runs of noun-like jieba words, with their kind (person, place or body, number, thing)."""
    folded = to_simplified(sentence)
    text = folded if len(folded) == len(sentence) else sentence
    words = tagged_words(text)
    spans: list[Span] = []
    position, start, flags = 0, -1, []
    for word, flag in [*words, ("", "x")]:
        # a verbal noun may end a phrase ("研发投资") but starts a clause, not a phrase ("出售红茶")
        # an adverb of time ("目前", "当时") stands between phrases: "韩国" of "韩国目前人均钢铁消费量"
        if (
            flag.startswith(_CHINESE_NOUN)
            and word.strip()
            and (start >= 0 or flag != "vn")
            and not _WHEN.fullmatch(word)
        ):
            if start < 0:
                start = position
            flags.append(flag)
        elif start >= 0:
            kind = ("person" if any(f.startswith("nr") for f in flags) else
                    "place" if any(f in ("ns", "nt") for f in flags) else
                    "number" if any(f in ("m", "q", "t") for f in flags) and _DIGITS.search(text[start:position]) else
                    "name" if any(f in ("nz", "eng") for f in flags) else "thing")  # fmt: skip
            spans.append(Span(start, position, kind))
            start, flags = -1, []
        position += len(word)
    return spans


def with_lists(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """The spans, and each enumeration of them joined by "、" (its last item by 和/与/及/以及/或, which also join
    two items alone) as one more span: "便利店、面包糕饼店以及洗衣店" answers "设置了什么店", "粤语及普通话"
    "以什么语言广播"."""
    ordered = sorted(spans, key=lambda span: span.start)
    found = list(spans)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered):
            gap = sentence[ordered[j].end : ordered[j + 1].start].strip()
            if gap != "、" and gap not in _LAST_ITEM:
                break
            j += 1
            if gap != "、":
                break  # 和/及 … joins the last item
        if j > i:
            kinds = {span.kind for span in ordered[i : j + 1]}
            found.append(Span(ordered[i].start, ordered[j].end, kinds.pop() if len(kinds) == 1 else "thing"))
        i = j + 1
    return found


def pattern_spans(sentence: str) -> list[Span]:
    """Dates and numbers with their units, found by pattern."""
    found = [Span(m.start(), m.end(), "date") for m in _DATE.finditer(sentence)]
    found += [Span(m.start(), m.end(), "date") for m in _ERA.finditer(sentence) if not _NO_ERA.search(m[1])]
    # a lone Chinese numeral ("一", "零") is a word of the sentence far more often than an amount
    found += [
        Span(m.start(), m.end(), "number")
        for m in _NUMBER.finditer(sentence)
        if len(m[0].strip()) > 1 or m[0].isdigit()
    ]
    found += [Span(m.start(), m.end(), "number") for m in _KOREAN_COUNT.finditer(sentence)]
    return found


def trimmed(sentence: str, span: Span) -> Span | None:
    """The span without punctuation or spaces at its edges; None when nothing is left."""
    start, end = span.start, span.end
    while start < end and sentence[start] in _EDGE:
        start += 1
    while end > start and sentence[end - 1] in _EDGE:
        end -= 1
    return Span(start, end, span.kind) if end > start else None


class RuleReader:
    """Reads the answering phrase with part-of-speech tags, patterns and the question's own words."""

    id = "rules"

    def read(self, question: str, sentences: Sequence[str], language: Language) -> Phrase | None:
        """A why-question's reason clause or an alias question's other name when a sentence gives one, else the
        candidate phrase the fitted ranker scores best (``phrase_ranker``); None when there is none."""
        from .phrase_aliases import alias_phrase, asks_alias
        from .phrase_ranker import best_phrase  # it builds on this module's spans
        from .phrase_reasons import asks_reason, reason_phrase

        clause = (reason_phrase(sentences) if asks_reason(question) else None) or (
            alias_phrase(question, sentences) if asks_alias(question) else None
        )
        return clause or best_phrase(question, sentences)


def head_of(question: str, terms: frozenset[str]) -> str:
    """What the question asks about: its content word next to the question word ("茶" of "什么茶", "요일" of
    "무슨 요일"), the one after it first; without a question word, its last content word ("요일" of "쉬는 요일은?")."""
    asked = normalize(question)
    found = [(m.start(), m.end(), term) for term in terms for m in re.finditer(re.escape(term), asked)]
    if not found:
        return ""
    asking = _ASKING.search(asked)
    if asking is None:
        return max(found)[2]
    after = [(start - asking.end(), term) for start, _, term in found if start >= asking.end()]
    before = [(asking.start() - end, term) for _, end, term in found if end <= asking.start()]
    return min(after or before or [(0, "")])[1]


def _tightened(span: Span, normal: str, terms: frozenset[str]) -> Span:
    """The span without a leading word of two or more characters the question says ("出产" of "出产绿茶")."""
    for cut in range(span.end - 2, span.start + 1, -1):
        if normal[span.start : cut].strip() in terms:
            return Span(cut, span.end, span.kind)
    return span


def _overlap(phrase: str, asked: str, head: str) -> tuple[float, bool]:
    """How much of a phrase the question already says, and whether it ends in what the question asks about.

    An answer often ends in the question's head noun ("绿茶" for "什么茶", "월요일" for "쉬는 요일은"): that ending
    is set aside before counting, and counts in the phrase's favour.
    """
    if phrase in asked:
        return 1.0, False
    if head and phrase.endswith(head):
        rest = phrase[: -len(head)]
        return sum(ch in asked for ch in rest) / len(phrase), True
    return sum(ch in asked for ch in phrase) / max(len(phrase), 1), False
