"""Hand-made cases and answers whose metrics can be worked out on paper."""

from __future__ import annotations

from assistant.evaluation.cases import Case, CaseResult
from assistant.records import Answer, Citation, Hit, Language, Passage


def passage(document_id: str, text: str, language: Language = Language.KOREAN) -> Passage:
    return Passage(f"{document_id}#0", document_id, document_id.title(), "", "https://example.org", language, text,
                   0, len(text))  # fmt: skip


def result(
    case: Case,
    text: str,
    cited: tuple[Passage, ...] = (),
    ranked: tuple[Passage, ...] = (),
    *,
    unsupported: tuple[str, ...] = (),
    fallback: bool = False,
    total_ms: float = 10.0,
) -> CaseResult:
    """An answer citing ``cited`` (numbered from 1) over the ranking ``ranked`` (defaults to ``cited``)."""
    hits = tuple(Hit(p, 1.0 / (i + 1), 0.5, 0.25) for i, p in enumerate(ranked or cited))
    citations = tuple(
        Citation(n, p, p.start, p.end, 1 / 3, supported=p.document_id not in unsupported)
        for n, p in enumerate(cited, start=1)
    )
    answer = Answer(
        text=text,
        citations=citations,
        hits=hits,
        model="extractive",
        grounded=bool(citations) and not unsupported,
        language=case.language,
        query=case.question,
        fallback=fallback,
        fallback_reason="model_timeout: slow" if fallback else "",
        timings_ms={"rewrite": 0.0, "retrieval": total_ms / 2, "generation": total_ms / 4, "grounding": 1.0,
                    "total": total_ms},
    )  # fmt: skip
    return CaseResult(case, answer, total_ms / 1000)


SEOUL = passage("seoul-plan", "서울시는 2021년 11월 메타버스 서울 기본계획을 발표했다.")
BUDGET = passage("budget", "예산은 30조 원이다.")
OTHER = passage("weather", "오늘은 맑다.")
TAIPEI = passage("taipei", "首爾市於2021年發布元宇宙首爾基本計畫。", Language.TRADITIONAL)

WHEN = Case(
    "ko-when", "메타버스 서울 기본계획은 언제 발표됐나?", Language.KOREAN, True, ("2021년 11월",), ("seoul-plan",)
)
HOW_MUCH = Case("ko-budget", "예산은 얼마?", Language.KOREAN, True, ("30조 원",), ("budget",))
NONE = Case("ko-none", "화성 기지 예산은?", Language.KOREAN, False)
WHEN_HANT = Case("hant-when", "首爾的基本計畫何時發布？", Language.TRADITIONAL, True, ("2021年",), ("taipei",))
CROSS = Case(
    "ko-cross", "계획은 언제?", Language.KOREAN, True, ("2021年",), ("taipei",), tags=("ko-question-zh-answer",)
)


def sample_results() -> list[CaseResult]:
    """Five results: a right answer, a wrong one, a wrongly answered unanswerable case, a Chinese one, a ko→zh miss."""
    return [
        result(WHEN, "서울시는 2021년 11월 기본계획을 발표했다. [1]", (SEOUL,), total_ms=4.0),
        result(HOW_MUCH, "오늘은 맑다. [1]", (OTHER,), (OTHER, BUDGET), unsupported=("weather",), total_ms=8.0),
        result(NONE, "오늘은 맑다. [1]", (OTHER,), total_ms=6.0),
        result(WHEN_HANT, "2021年[1]", (TAIPEI,), total_ms=2.0),
        result(CROSS, "찾지 못했습니다.", (), (), total_ms=1.0),
    ]
