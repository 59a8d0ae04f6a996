"""Reading across Korean and Chinese when scoring sentences: the composer picks the other language's sentence
that answers, through Hanja readings, gives it a place when the question's own language answers poorly, and
leaves same-language scoring alone."""

from __future__ import annotations

from assistant.answering.bridge import bridged_sentence, read_for, reading_presence, word_readings
from assistant.answering.extractive import select_sentences
from assistant.answering.sentence_scoring import candidates_of, coverage, ranked_candidates
from assistant.records import Hit, Language, Passage

# Our own sentences on the demo topics: the Korean passage is on topic but does not give the figure.
KOREAN = "물류 분야에서는 증강현실 기술을 현장에 도입하는 방안이 논의되고 있다. 관계 부처는 시범 사업을 검토한다."
CHINESE = "大型物流倉庫導入AR物流管理系統後，作業效率預計提升15%。這是政府的示範項目。"
KOREAN_PHONE = "디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. 담당 부서는 소프트웨어정책관 아래에 있다."
KOREAN_PLAN = "대형 물류창고에 AR 기술을 도입하는 방안이 논의되고 있다. 물류창고 시범 사업은 내년에 시작한다."
KOREAN_OFFICE = "디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. 디지털콘텐츠과는 소프트웨어정책관 아래에 있다."
CHINESE_BUDGET = "數位內容課明年的預算規模為三千億韓元。"
CHINESE_PLAN = "韓國政府發布了元宇宙產業振興基本計劃。"


def hit(n: int, text: str, language: Language, score: float) -> Hit:
    return Hit(Passage(f"doc{n}#0", f"doc{n}", "", "", "", language, text, 0, len(text)), score)


def test_chinese_words_have_their_korean_readings() -> None:
    assert word_readings(["物流", "管理", "电话", "AR"]) == {"物流": "물류", "管理": "관리", "电话": "전화"}
    assert reading_presence("물류", "물류 창고", 0.5) == 1.0
    assert reading_presence("타전화", "문의 전화번호", 0.5) == 0.25  # one of its two syllable pairs


def test_a_korean_question_reads_chinese_sentences_in_korean_and_leaves_korean_ones_alone() -> None:
    candidates = candidates_of([hit(1, KOREAN, Language.KOREAN, 1.0), hit(2, CHINESE, Language.TRADITIONAL, 0.5)])
    read = read_for("물류창고 작업 효율은 얼마나 오르나요?", candidates)
    assert [c.normal for c in read if c.passage.language is Language.KOREAN] == [
        c.normal for c in candidates if c.passage.language is Language.KOREAN
    ]
    assert any("물류창고" in c.normal for c in read if c.passage.language is Language.TRADITIONAL)
    assert read_for("物流倉庫的效率提升多少？", candidates) == candidates  # a Chinese question reads them as they are


def test_the_composer_quotes_the_chinese_sentence_that_answers_a_korean_question() -> None:
    hits = [hit(1, KOREAN, Language.KOREAN, 1.0), hit(2, CHINESE, Language.TRADITIONAL, 0.6)]
    chosen = select_sentences(
        "대형 물류창고에 AR 물류관리 시스템을 쓰면 작업 효율이 몇 퍼센트 오르나요?", hits, max_sentences=1
    )
    assert chosen and chosen[0].passage.document_id == "doc2" and "15%" in chosen[0].text


def test_a_chinese_question_finds_its_words_in_a_korean_sentence_through_their_readings() -> None:
    question = "想打電話詢問，電話號碼是多少？"
    terms, ranked = ranked_candidates(question, [hit(1, KOREAN_PHONE, Language.KOREAN, 1.0)])
    assert terms.readings.get("打电话") == "타전화"  # 전화 is one of its syllable pairs
    assert "044-202-6352" in ranked[0].text and coverage(terms, ranked[0].normal) > 0
    # Weaker than the other direction: a Chinese passage on the plan still outscores it (measured in the note).


def test_a_korean_question_its_own_passages_answer_poorly_gets_the_chinese_sentence_first() -> None:
    question = "대형 물류창고에 AR 물류관리 시스템을 쓰면 작업 효율이 몇 퍼센트 오르나요?"
    # the Chinese hit ranks far below: without the bridge the Korean sentence would take the only place
    hits = [hit(1, KOREAN_PLAN, Language.KOREAN, 1.0), hit(2, CHINESE, Language.TRADITIONAL, 0.1)]
    terms, ranked = ranked_candidates(question, hits)
    assert ranked[0].passage.language is Language.KOREAN
    bridged = bridged_sentence(question, terms, ranked, 2)
    assert bridged is not None and "15%" in bridged[0].text and bridged[1]  # first: Korean covers it poorly
    chosen = select_sentences(question, hits, max_sentences=1)
    assert len(chosen) == 1 and chosen[0].passage.document_id == "doc2" and "15%" in chosen[0].text


def test_the_other_language_takes_the_second_place_when_it_adds_what_the_question_asks() -> None:
    question = "디지털콘텐츠과 전화번호와 예산 규모는?"  # the number is in Korean, the budget only in Chinese
    hits = [hit(1, KOREAN_OFFICE, Language.KOREAN, 1.0), hit(2, CHINESE_BUDGET, Language.TRADITIONAL, 0.1)]
    terms, ranked = ranked_candidates(question, hits)
    bridged = bridged_sentence(question, terms, ranked, 2)
    assert bridged is not None and bridged[0].passage.document_id == "doc2" and not bridged[1]
    chosen = select_sentences(question, hits, max_sentences=2)
    assert len(chosen) == 2 and "044-202-6352" in chosen[0].text and chosen[1].passage.document_id == "doc2"


def test_a_question_its_own_language_answers_keeps_its_own_sentences() -> None:
    question = "디지털콘텐츠과 문의 전화번호는?"
    hits = [hit(1, KOREAN_PHONE, Language.KOREAN, 1.0), hit(2, CHINESE_PLAN, Language.TRADITIONAL, 0.9)]
    terms, ranked = ranked_candidates(question, hits)
    assert bridged_sentence(question, terms, ranked, 2) is None
    assert all(e.passage.language is Language.KOREAN for e in select_sentences(question, hits))
    english = "Which office answers the phone?"  # every passage is foreign to it: nothing to bridge
    terms, ranked = ranked_candidates(english, hits)
    assert bridged_sentence(english, terms, ranked, 2) is None
