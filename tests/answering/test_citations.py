"""Citation markers: parsing every written form, checking support, repairing what is off."""

from __future__ import annotations

import pytest

from assistant.answering.citations import SupportChecker, ground, parse_markers, split_claims
from assistant.records import Hit, Language, Passage

KO = "정부는 가상융합산업 진흥법을 2024년에 시행했다. 이 법은 임시 기준 제도를 두었다."
HANT = "首爾市推出元宇宙平台，市民可以在虛擬市長室與市長交流。平台將在二〇二六年完成。"
HANS = "韩国政府计划到2025年把扩展现实市场规模做到30万亿韩元。"


def hit(n: int, text: str, language: Language, start: int = 100) -> Hit:
    return Hit(Passage(f"doc{n}#0", f"doc{n}", f"Title {n}", "", f"https://example.org/{n}", language, text,
                       start, start + len(text)), score=1.0 / n)  # fmt: skip


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker()


@pytest.fixture
def hits() -> list[Hit]:
    return [hit(1, KO, Language.KOREAN), hit(2, HANT, Language.TRADITIONAL), hit(3, HANS, Language.SIMPLIFIED)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("답이다 [1].", [(3, [1])]),
        ("答案【2】。", [(2, [2])]),
        ("答案［3］", [(2, [3])]),
        ("답 [1, 3] 끝", [(1, [1, 3])]),
        ("답[1][2]", [(1, [1]), (1, [2])]),
        ("答案[1，2、3]", [(2, [1, 2, 3])]),
    ],
)
def test_every_marker_form_is_parsed(text: str, expected: list[tuple[int, list[int]]]) -> None:
    assert parse_markers(text)[1] == expected


def test_markers_are_stripped_from_the_text() -> None:
    assert parse_markers("가 [1]. 나【2】")[0] == "가. 나"


def test_claims_split_on_punctuation_and_on_markers_followed_by_words() -> None:
    text, markers = parse_markers("첫 문장이다. 둘째 [1] 셋째 문장。넷째")
    pieces = [text[s:e] for s, e in split_claims(text, [offset for offset, _ in markers])]
    assert pieces == ["첫 문장이다.", "둘째", "셋째 문장。", "넷째"]


def test_supported_citations_are_kept_with_the_span_of_the_quoted_text(checker, hits) -> None:
    result = ground("정부는 가상융합산업 진흥법을 2024년에 시행했다 [1].", hits, 0.35, checker)
    assert result.grounded
    assert result.text == "정부는 가상융합산업 진흥법을 2024년에 시행했다. [1]"
    (citation,) = result.citations
    assert citation.n == 1 and citation.supported
    quoted = citation.passage.text[citation.start - 100 : citation.end - 100]
    assert quoted == "정부는 가상융합산업 진흥법을 2024년에 시행했다"


def test_numbers_that_were_not_retrieved_are_dropped(checker, hits) -> None:
    result = ground("平台將在二〇二六年完成。[2][7]", hits, 0.35, checker)
    assert [c.n for c in result.citations] == [2]
    assert "[7]" not in result.text
    assert result.markers_checked == 2 and result.markers_supported == 1


def test_a_wrong_number_is_replaced_by_the_passage_that_supports_the_sentence(checker, hits) -> None:
    result = ground("首爾市推出了元宇宙平台。[1]", hits, 0.35, checker)
    assert result.text == "首爾市推出了元宇宙平台。[2]"
    assert result.claims[0].attached and result.grounded


def test_a_simplified_answer_is_supported_by_a_traditional_passage(checker, hits) -> None:
    result = ground("首尔市推出元宇宙平台，市民可以在虚拟市长室与市长交流 [2]", hits, 0.35, checker)
    assert result.grounded and [c.n for c in result.citations] == [2]


def test_an_answer_without_markers_gets_citations_from_the_best_passages(checker, hits) -> None:
    result = ground(
        "이 법은 임시 기준 제도를 두었다. 韩国计划到2025年把扩展现实市场做到30万亿韩元。", hits, 0.35, checker
    )
    assert [c.n for c in result.citations] == [1, 3]
    assert result.text == "이 법은 임시 기준 제도를 두었다. [1] 韩国计划到2025年把扩展现实市场做到30万亿韩元。[3]"
    assert result.grounded


def test_an_unsupported_claim_keeps_its_marker_flagged_and_the_answer_is_not_grounded(checker, hits) -> None:
    result = ground("달에는 토끼가 살고 있으며 떡을 찧는다 [1].", hits, 0.35, checker)
    assert not result.grounded
    (citation,) = result.citations
    assert not citation.supported


def test_a_claim_no_passage_supports_gets_no_invented_citation(checker, hits) -> None:
    result = ground("The moon is made of green cheese.", hits, 0.35, checker)
    assert result.citations == () and not result.grounded
