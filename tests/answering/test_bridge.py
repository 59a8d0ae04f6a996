"""Reading across Korean and Chinese when scoring sentences: the composer picks the other language's sentence
that answers, through Hanja readings, and leaves same-language scoring alone."""

from __future__ import annotations

from assistant.answering.bridge import read_for, reading_presence, word_readings
from assistant.answering.extractive import select_sentences
from assistant.answering.sentence_scoring import candidates_of, coverage, ranked_candidates
from assistant.records import Hit, Language, Passage

# Our own sentences on the demo topics: the Korean passage is on topic but does not give the figure.
KOREAN = "물류 분야에서는 증강현실 기술을 현장에 도입하는 방안이 논의되고 있다. 관계 부처는 시범 사업을 검토한다."
CHINESE = "大型物流倉庫導入AR物流管理系統後，作業效率預計提升15%。這是政府的示範項目。"
KOREAN_PHONE = "디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. 담당 부서는 소프트웨어정책관 아래에 있다."


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
