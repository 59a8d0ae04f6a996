"""What a question asks for and what it names."""

import pytest

from assistant.answering.question_parts import (
    OTHER_UNIT,
    asked_entity,
    asked_value,
    entity_fit,
    korean_people,
    names_of,
    names_the_kind,
    numbers_of,
    value_fit,
)
from assistant.languages import normalize


def fit(question: str, sentence: str) -> float:
    asked = asked_value(question)
    assert asked is not None
    return value_fit(asked, normalize(sentence))


def test_questions_that_ask_for_no_value() -> None:
    assert asked_value("한상열 박사는 어느 기관 소속이야?") is None
    assert asked_value("首尔的虚拟节庆会以哪几个现有活动为蓝本？") is None  # "which ones", not "how many"
    assert asked_value("中央大学派了哪位教授参加讨论？") is None


def test_what_a_value_question_asks_for() -> None:
    asked = asked_value("智慧科學實驗室總共要在幾所學校設置？")
    assert asked is not None and asked.kind == "number" and asked.unit == "所"
    budget = asked_value("해군 잠수함 가상훈련 예산은 얼마야?")
    assert budget is not None and budget.money and budget.unit is None
    when = asked_value("메타버스 얼라이언스는 언제 출범했지?")
    assert when is not None and when.kind == "date"
    assert asked_value("2021年韩国投了多少钱？").given == frozenset({"2021"})  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("예산은 얼마야?", "국방부는 2021년 훈련에 62억 원을 투입한다.", 1.0),
        ("예산은 얼마야?", "국방부는 2022년까지 훈련을 개발한다.", 0.0),  # a year is no amount
        ("예산은 얼마야?", "예산은 62억이다.", OTHER_UNIT),  # a number, but no money unit
        ("예산은 얼마야?", "참가 기업은 30곳이다.", 0.0),  # things counted are no amount
        ("那海軍的潛艦訓練又編了多少預算？", "共有20家企業參與。", 0.0),
        ("總共要在幾所學校設置？", "在全國120所學校設置實驗室。", 1.0),
        ("總共要在幾所學校設置？", "投入26億韓元設置實驗室。", OTHER_UNIT),
        ("공공도서관은 몇 곳인가요?", "전국 12개 공공도서관이 참여한다.", 1.0),  # 곳 and 개 count the same things
        ("중점 방향은 몇 가지인가요?", "기본계획은 다섯 가지 중점 방향을 내세웠다.", 1.0),  # 가지 counts things too
        ("예산은 얼마야?", "중점 방향은 다섯 가지다.", 0.0),
        ("소장한 책은 몇 권인가?", "도서관이 소장한 책은 약 32만 권이다.", 1.0),  # a magnitude before the unit
        ("추진 분야는 몇 개인가요?", "7대 분야 세부 사업을 아우른다.", 1.0),
        ("참가자는 몇 명인가요?", "전국 12개 공공도서관이 참여한다.", OTHER_UNIT),  # but not people
        ("몇 곳에서 열리나요?", "이곳에서 행사가 열린다.", 0.0),  # 이곳 is "here", not "two places"
        ("可以減少幾成？", "訓練準備時間則可節省59%。", 1.0),
        ("언제 출범했지?", "2021년 5월에는 얼라이언스가 만들어졌다.", 1.0),
        ("언제 출범했지?", "얼라이언스가 만들어졌다.", 0.0),
        ("鎌倉幕府維持了多少年?", "歷經149年。", 1.0),  # a duration is counted in years
        ("2023년 시장 규모는 몇 조 원이었나요?", "2023년 시장이 커졌다.", 0.0),  # the question's own number
        ("韩国希望跻身全球前几大XR领先国家？", "韓國要躋身全球前五大XR強國。", 1.0),  # 前几大 … 前五大
        ("工厂运营成本预计降低多少", "營運成本可降低10%。", 1.0),  # a share of a cost is an amount
        ("메타버스 서울 플랫폼 누적 이용자 수", "이용자는 120만 명이다.", 1.0),  # a count named without 몇
        ("메타버스 서울 플랫폼 누적 이용자 수", "플랫폼은 2023년에 문을 연다.", 0.0),
    ],
)
def test_whether_a_sentence_holds_the_value_asked(question: str, sentence: str, expected: float) -> None:
    assert fit(question, sentence) == expected


def test_a_count_named_without_a_question_word_asks_for_a_number() -> None:
    asked = asked_value("메타버스 서울 플랫폼 누적 이용자 수")
    assert asked is not None and asked.kind == "number"
    assert asked_value("메타버스 서울 플랫폼은 무엇을 할 수 있어?") is None


def test_what_entity_a_question_asks_for_and_whether_a_sentence_names_one() -> None:
    assert asked_entity("中央大学派了哪位教授参加讨论？") == "person"
    assert asked_entity("기본계획 담당 부서 어디") == "place"
    assert asked_entity("메타버스 얼라이언스는 언제 출범했지?") is None
    question = "中央大學派了哪位教授參加討論？"
    assert entity_fit("person", "中央大學的李明教授參加了討論。", question) == 1.0
    assert entity_fit("person", "中央大學參加了討論。", question) == 0.0  # only what the question names
    assert entity_fit("name", "這項計畫使用XR技術。", "這項計畫叫什麼？") == 0.0  # "XR" is no name


def test_words_that_name_the_kind_of_value_asked() -> None:
    assert all(names_the_kind(word) for word in ("기간", "예산", "규모", "수", "期间", "预算", "人数"))
    # what a value is about is not its kind, even when it holds a kind word
    assert not any(names_the_kind(word) for word in ("추진", "사업비용", "수도", "学校", "投资"))


def test_a_korean_person_is_a_name_with_a_title() -> None:
    assert korean_people("광운대 유지상 교수, 카이스트(KAIST) 우운택 교수가 참석했다.") == ["유지상", "우운택"]
    assert korean_people("송상훈 정보통신정책실장은 말했다.") == ["송상훈"]  # the title ends a longer word
    assert korean_people("이준우 PM (정보통신기획평가원): 전망을 내놓았다.") == ["이준우"]  # kiwi splits the name
    assert korean_people("위원회 위원장은 말했다.") == []  # a common noun, not a name
    # a body or a city before a title, a company without one: no person
    assert korean_people("한국메타버스산업협회 부회장을 비롯해 이노시뮬레이션, 맥스트 등이 자리했다.") == []
    assert korean_people("서울시 시장은 말했다.") == []
    question = "정보통신기획평가원 쪽에서 발표를 맡은 PM은 누구였어?"
    assert entity_fit("person", "이준우 PM (정보통신기획평가원): 전망을 내놓았다.", question) == 1.0
    # a company name is a name, not yet a person
    assert entity_fit("person", "협회 부회장을 비롯해 이노시뮬레이션 등이 자리했다.", "협회 부회장은 누구야?") < 1.0


def test_the_names_a_question_gives() -> None:
    assert "부산시" in names_of("부산시는 메타버스 기본계획을 언제 발표했어?")
    assert "新加坡政府" in names_of("新加坡政府在元宇宙方面有什么扶持政策？")
    assert "nba" in names_of("今年NBA总冠军是哪支球队？")
    assert names_of("예산은 얼마야?") == ()


def test_the_numbers_a_question_gives() -> None:
    assert numbers_of("2023년 국내 메타버스 시장 규모는 몇 조 원이었나요?") == frozenset({"2023"})
    assert numbers_of("韓國版新政2.0是幾月發布的？") == frozenset()  # single digits say little
