"""Bot replies for the answer's short answer and for abstained answers (related documents), from hand-built records:
the shared text (Telegram's) and the Kakao skill response, within each messenger's limits."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.api.bot_replies import reply_text, split_text
from assistant.api.routes.bots_kakao import LABEL_LIMIT, TEXT_LIMIT, skill_response
from assistant.api.routes.bots_telegram import MESSAGE_LIMIT
from assistant.records import Answer, Citation, Hit, Language, Passage

MARKER = re.compile(r"\[\d+\]")
NOT_FOUND = "문서에서 답을 찾지 못했습니다. 질문과 가까운 문서를 아래에 모았습니다."
NEWS = "https://newsdao.kr/4636"
CONTACT_TEXT = "디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. 기본계획과 관련된 문의는 이 번호로 하면 된다."


def related_hit(n: int, source: str, *, title: str = "", section: str = "") -> Hit:
    """A related passage of document ``doc{n}``."""
    text = "서울시는 2026년까지 메타버스 서울 플랫폼을 완성한다. " * 3
    passage = Passage(
        f"doc{n}#0", f"doc{n}", title or f"관련 문서 {n}번", section, source, Language.KOREAN, text, 0, len(text)
    )
    return Hit(passage, 0.5 - n / 100)


def abstained(related: list[Hit], text: str = NOT_FOUND, language: Language = Language.KOREAN) -> Answer:
    """An answer that says the documents do not answer, with its related passages."""
    return Answer(text, (), (), "extractive", False, language, abstained=True, related=tuple(related))


def with_short_answer() -> Answer:
    """The contact question's answer: the phone number first, then the supporting sentence and its source."""
    passage = Passage("ko-contact#0", "ko-contact", "가상융합산업 진흥 기본계획 문의처", "담당 부서", NEWS,
                      Language.KOREAN, CONTACT_TEXT, 100, 100 + len(CONTACT_TEXT))  # fmt: skip
    citation = Citation(1, passage, 100, 131, 0.9)
    text = "044-202-6352 — 디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. [1]"
    return Answer(text, (citation,), (), "extractive", True, Language.KOREAN, short_answer="044-202-6352")


def test_the_short_answer_is_the_first_line_then_the_text_and_its_sources() -> None:
    answer = with_short_answer()
    expected_text = "044-202-6352 — 디지털콘텐츠과의 문의 전화번호는 044-202-6352이다. [1]"
    assert reply_text(answer) == (
        f"→ 044-202-6352\n{expected_text}\n\n[1] 가상융합산업 진흥 기본계획 문의처 · 담당 부서 — {NEWS}"
    )
    reply = skill_response(answer)  # the URL moves to a button
    text = reply["template"]["outputs"][0]["simpleText"]["text"]
    assert text == f"→ 044-202-6352\n{expected_text}\n\n[1] 가상융합산업 진흥 기본계획 문의처 · 담당 부서"
    card = reply["template"]["outputs"][1]["textCard"]
    assert card["title"] == "출처" and card["buttons"][0]["webLinkUrl"] == NEWS
    assert card["buttons"][0]["label"].startswith("[1] ")


def test_a_long_answer_keeps_its_short_answer_within_the_kakao_limit() -> None:
    sentence = "서울시는 메타버스 플랫폼을 단계적으로 완성할 계획이며 공공서비스를 차례로 옮긴다. [1] "
    answer = replace(with_short_answer(), text="2026년 — " + sentence * 40, short_answer="2026년")
    text = skill_response(answer)["template"]["outputs"][0]["simpleText"]["text"]
    assert len(text) <= TEXT_LIMIT and text.startswith("→ 2026년\n2026년 — 서울시는")
    assert text.endswith("[1] 가상융합산업 진흥 기본계획 문의처 · 담당 부서")
    huge = replace(answer, short_answer="가" * 5000)  # a runaway phrase is cut, never the whole reply
    assert len(reply_text(huge, TEXT_LIMIT)) <= TEXT_LIMIT and len(reply_text(huge).split("\n")[0]) <= 202


def test_an_abstained_reply_lists_related_documents_unnumbered_and_cites_nothing() -> None:
    related = [
        related_hit(1, "https://example.org/a", section="개요"),
        related_hit(2, "corpus/ko-notes.md"),
        related_hit(1, "https://example.org/a", section="개요"),  # a second passage under the same heading
    ]
    answer = abstained(related)
    text = reply_text(answer)
    assert text == f"{NOT_FOUND}\n\n관련 문서\n• 관련 문서 1번 · 개요 — https://example.org/a\n• 관련 문서 2번"
    assert not MARKER.search(text)
    assert reply_text(replace(answer, short_answer="2026년")).startswith(NOT_FOUND)  # abstained: no → line

    reply = skill_response(answer)
    outputs = reply["template"]["outputs"]
    assert outputs[0]["simpleText"]["text"] == f"{NOT_FOUND}\n\n관련 문서\n• 관련 문서 1번 · 개요\n• 관련 문서 2번"
    card = outputs[1]["textCard"]
    assert card["title"] == "관련 문서"
    assert card["buttons"] == [{"action": "webLink", "label": "관련 문서 1번", "webLinkUrl": "https://example.org/a"}]


def test_the_related_label_follows_the_answer_language() -> None:
    hits = [related_hit(1, "https://example.org/a")]
    assert "\n\n相關文件\n• " in reply_text(abstained(hits, "文件中沒有找到答案。", Language.TRADITIONAL))
    assert "\n\n相关文件\n• " in reply_text(abstained(hits, "文件中没有找到答案。", Language.SIMPLIFIED))
    assert "\n\nRelated documents\n• " in reply_text(abstained(hits, "No answer.", Language.OTHER))
    assert reply_text(abstained([])) == NOT_FOUND  # nothing close: the text alone, no empty heading


def test_a_long_abstained_reply_fits_kakao_and_splits_for_telegram() -> None:
    hits = [
        related_hit(n, f"https://example.org/{n}", title="서울시 메타버스 기본계획 추진 현황 " * 4, section=f"{n}절")
        for n in range(40)
    ]
    answer = abstained(hits, NOT_FOUND + " 다른 질문을 해 보세요." * 60)
    reply = skill_response(answer)
    text = reply["template"]["outputs"][0]["simpleText"]["text"]
    assert len(text) <= TEXT_LIMIT and text.startswith(NOT_FOUND)
    body, _, block = text.partition("\n\n관련 문서\n")
    assert body.endswith("…") and block.startswith("• ") and not MARKER.search(text)
    assert all(line.startswith("• ") and len(line) <= 90 for line in block.splitlines())
    buttons = reply["template"]["outputs"][1]["textCard"]["buttons"]
    assert len(buttons) == 3 and all(len(b["label"]) <= LABEL_LIMIT and "[" not in b["label"] for b in buttons)

    messages = split_text(reply_text(answer), MESSAGE_LIMIT)
    assert len(messages) > 1 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "\n".join(messages).count("• ") == 40 and "관련 문서" in "\n".join(messages)
