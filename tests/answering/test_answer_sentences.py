"""The answer ranking: neighbouring sentences lend their question words, asked values count, the best hit leads."""

from __future__ import annotations

import pytest

from assistant.answering import answer_sentences
from assistant.answering.answer_sentences import neighbour_floor, presences, ranked_for_answer
from assistant.answering.sentence_scoring import QuestionTerms, ranked_candidates
from assistant.records import Hit, Language, Passage

# Written for these tests (not taken from any dataset).
KO_ENVOY = (
    "한빛시 대표단은 2019년 봄에 북쪽 항구 도시를 처음 방문하였다. "
    "대표단은 그곳에서 항만청 청장 김도윤을 만나 교류 협정을 맺었다. "
    "한빛시 대표단의 방문은 지역 신문에 여러 차례 실렸다."
)
KO_TOWER = "한빛타워는 1998년에 완공되었다. 한빛타워 전망대는 주말에 붐빈다."


@pytest.fixture(autouse=True)
def fresh_rankings() -> None:
    """Rankings are kept per question and hits (``_ranked``): some tests change the weights between two calls."""
    answer_sentences._ranked.cache_clear()


def hit(n: int, text: str, *, score: float = 1.0, title: str = "") -> Hit:
    passage = Passage(f"doc{n}#0", f"doc{n}", title, "", "", Language.KOREAN, text, 0, len(text))
    return Hit(passage, score)


def test_a_question_word_in_the_sentence_before_counts_for_the_answer_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question = "한빛시 대표단이 북쪽 항구 도시 방문 때 만난 사람은 누구인가?"
    hits = [hit(1, KO_ENVOY)]
    _, ranked = ranked_for_answer(question, hits)
    assert "김도윤" in ranked[0].text or "김도윤" in ranked[1].text
    assert "김도윤" in ranked[0].text + ranked[1].text
    # without the neighbour's words the answer sentence falls behind the two that restate the question
    monkeypatch.setattr(answer_sentences, "NEIGHBOUR", 0.0)
    answer_sentences._ranked.cache_clear()
    _, plain = ranked_for_answer(question, hits)
    assert "김도윤" not in plain[0].text + plain[1].text


def test_the_sentence_before_counts_across_the_edge_of_two_passages_of_a_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the envoy text cut in two passages after its first sentence (as a short Chinese passage often is)
    cut = KO_ENVOY.index(" 대표단은 그곳에서")
    first = Passage("doc1#0", "doc1", "", "", "", Language.KOREAN, KO_ENVOY[:cut], 0, cut)
    rest = Passage("doc1#1", "doc1", "", "", "", Language.KOREAN, KO_ENVOY[cut + 1 :], cut + 1, len(KO_ENVOY))
    question = "한빛시 대표단이 북쪽 항구 도시 방문 때 만난 사람은 누구인가?"
    hits = [Hit(first, 1.0), Hit(rest, 1.0)]
    _, ranked = ranked_for_answer(question, hits)
    assert "김도윤" in ranked[0].text + ranked[1].text
    # passages of one document that do not meet lend nothing: the answer sentence falls behind again
    monkeypatch.setattr(answer_sentences, "GAP", -1)
    answer_sentences._ranked.cache_clear()
    _, apart = ranked_for_answer(question, hits)
    assert "김도윤" not in apart[0].text + apart[1].text


def test_a_sentence_with_the_asked_kind_of_value_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # the question's own year is no answer to "how many metres": the sentence with a new number is
    text = (
        "한빛타워는 2020년에 새 전망대를 열었다. 한빛타워의 높이는 320미터이다. "
        "한빛타워 전망대는 2020년부터 주말에 붐빈다."
    )
    question = "2020년에 전망대를 연 한빛타워의 높이는 몇 미터인가?"
    hits = [hit(1, text)]
    assert ranked_for_answer(question, hits)[1][0].text == "한빛타워의 높이는 320미터이다."
    monkeypatch.setattr(answer_sentences, "VALUE", 0.0)
    answer_sentences._ranked.cache_clear()
    assert ranked_for_answer(question, hits)[1][0].text == "한빛타워는 2020년에 새 전망대를 열었다."


def test_the_best_hit_outranks_a_weaker_one_that_covers_the_question_as_well() -> None:
    question = "한빛타워 완공 연도는?"
    weak = hit(2, "한빛타워 완공 연도는 기록마다 다르다.", score=0.3)
    strong = hit(1, "한빛타워 완공 연도는 1998년으로 적혀 있다.", score=1.0)
    _, ranked = ranked_for_answer(question, [strong, weak])
    assert ranked[0].passage.document_id == "doc1"


def test_same_candidates_as_the_coverage_ranking() -> None:
    hits = [hit(1, KO_ENVOY), hit(2, KO_TOWER, score=0.5)]
    question = "한빛시 대표단이 만난 사람은?"
    assert {c.text for c in ranked_for_answer(question, hits)[1]} == {
        c.text for c in ranked_candidates(question, hits)[1]
    }
    assert ranked_for_answer(question, [])[1] == []


def test_neighbour_floor_takes_the_higher_credit() -> None:
    terms = QuestionTerms({"항구": 1.0, "청장": 1.0}, 2.0, False)
    floor = neighbour_floor(terms, {"항구": 0.8, "청장": 0.0}, [presences(terms, "항만청 청장을 만났다")])
    assert floor["항구"] == 0.8  # the title's credit is higher than a neighbour's
    assert floor["청장"] == pytest.approx(answer_sentences.NEIGHBOUR)
    assert neighbour_floor(terms, {"항구": 0.0, "청장": 0.0}, []) == {"항구": 0.0, "청장": 0.0}


def test_one_answer_is_ranked_once_and_each_caller_gets_its_own_list() -> None:
    question = "한빛타워 완공 연도는?"
    hits = [hit(1, KO_TOWER)]
    terms, first = ranked_for_answer(question, hits)
    first.reverse()  # the composer reorders its list: the next caller's must not change
    again_terms, again = ranked_for_answer(question, list(hits))
    assert again_terms is terms and again == first[::-1]
    assert answer_sentences._ranked.cache_info().hits == 1


def test_the_question_words_are_weighed_in_one_order_in_every_process() -> None:
    # a set's order follows the hash seed, and the last bits of a float sum follow the order of its terms: with the
    # words in sorted order, scores (and so ties between sentences) come out the same in every process
    question = "한빛시 대표단이 북쪽 항구 도시 방문 때 만난 사람은 누구인가?"
    terms, _ = ranked_for_answer(question, [hit(1, KO_ENVOY)])
    assert len(terms.weights) > 3
    assert list(terms.weights) == sorted(terms.weights)
