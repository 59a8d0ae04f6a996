"""Candidate answering phrases and their features (our own sentences, real kiwi and jieba)."""

from assistant.answering.phrase_features import phrase_candidates


def by_text(question: str, *sentences: str) -> dict[str, dict[str, float]]:
    found = phrase_candidates(question, list(sentences))
    for candidate in found:
        assert sentences[candidate.sentence][candidate.start : candidate.end] == candidate.text
    spans = [(c.sentence, c.start, c.end) for c in found]
    assert len(spans) == len(set(spans))  # each span once, however many cuts found it
    return {c.text: c.features for c in found}


def test_a_number_inside_a_date_is_marked_and_the_date_keeps_its_kind() -> None:
    found = by_text("항만 사업에 든 돈은 얼마야?", "항만 사업은 2023년 4월에 시작했고 모두 45억 원이 들었다.")
    assert found["2023년"]["in_date"] == 1.0 and found["45억 원"]["in_date"] == 0.0
    assert found["2023년 4월"]["kind:number:date"] == 1.0  # tagged a number by kiwi, a date by pattern: a date
    assert found["45억 원"]["money"] == 1.0 and found["2023년 4월"]["money"] == 0.0


def test_the_question_s_words_on_each_side_are_measured() -> None:
    found = by_text("港口试验何时启动？", "港口试验于2023年4月启动，总共投入45亿韩元。")
    assert found["2023年4月"]["left"] > 0 and found["2023年4月"]["right"] > 0
    assert found["2023年4月"]["both_sides"] > found["45亿韩元"]["both_sides"]
    assert found["港口试验"]["all_said"] == 1.0  # the question says it: never its answer


def test_a_korean_answer_before_the_question_s_own_verb_is_marked() -> None:
    found = by_text("천문대는 매달 무엇을 열어?", "천문대는 청주시 외곽에 있고, 매달 관측회를 연다.")
    assert found["관측회"]["verb_after"] > 0 and found["청주시 외곽"]["verb_after"] == 0.0


def test_a_sentence_with_none_of_the_question_s_words_gives_no_candidate() -> None:
    assert phrase_candidates("바람개비 축제는 어디서 열리나?", ["오늘은 비가 많이 내렸다."]) == []
    assert phrase_candidates("언제?", []) == []


def test_the_sentence_rank_is_a_feature() -> None:
    found = phrase_candidates("축제는 몇 월에 열리나?", ["축제는 5월에 열린다.", "축제는 9월에 열렸다."])
    ranks = {c.text: [k for k in c.features if k.startswith("rank")] for c in found}
    assert ranks["5월"] == ["rank0"] and ranks["9월"] == ["rank1"]
