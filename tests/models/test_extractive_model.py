"""The extractive ``ChatModel``: cited chunks, the question's Chinese script, nothing without passages."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from assistant.models.base import ChatModel, ChatRequest, Chunk, complete, create_chat_model
from assistant.models.extractive import ExtractiveModel
from assistant.records import Hit, Language, Passage
from assistant.settings import ModelSettings

# Written for these tests (not taken from any dataset).
HANS = "绿洲图书馆建于二〇一〇年。馆内共有藏书十五万册，读者可以免费借阅。"
HANT = "綠洲圖書館建於二〇一〇年。館內共有藏書十五萬冊，讀者可以免費借閱。"
KO = "푸른숲 수목원은 2015년에 개장했다. 수목원에는 약 3천 종의 식물이 자란다. 입장료는 받지 않는다."
LONG = (
    "这条铁路全长约八百公里，" * 5
    + "最高时速为一百六十公里，"
    + "这条铁路全长约八百公里，" * 5
    + "沿线共设有二十六个车站。"
)


def hit(n: int, text: str, language: Language, score: float = 1.0) -> Hit:
    return Hit(Passage(f"doc{n}#0", f"doc{n}", "", "", "", language, text, 0, len(text)), score)


def request(question: str, hits: list[Hit], language: Language) -> ChatRequest:
    return ChatRequest(messages=(), question=question, passages=hits, language=language)


def chunks(model: ExtractiveModel, chat: ChatRequest) -> list[Chunk]:
    async def collect() -> list[Chunk]:
        return [chunk async for chunk in model.stream(chat)]

    return asyncio.run(collect())


def test_it_is_the_registered_default_chat_model() -> None:
    model = create_chat_model(ModelSettings())
    assert isinstance(model, ExtractiveModel) and isinstance(model, ChatModel)
    assert model.id == "extractive"
    asyncio.run(model.aclose())


def test_one_chunk_per_sentence_each_with_its_marker() -> None:
    hits = [hit(1, "오늘 날씨는 맑다.", Language.KOREAN, 0.9), hit(2, KO, Language.KOREAN, 0.8)]
    pieces = chunks(ExtractiveModel(), request("푸른숲 수목원에는 몇 종의 식물이 자라나?", hits, Language.KOREAN))
    assert 1 <= len(pieces) <= 2
    assert all(re.search(r"\S \[\d\]$", p.text) for p in pieces)
    assert "3천 종" in "".join(p.text for p in pieces) and "[2]" in pieces[0].text
    if len(pieces) == 2:
        assert pieces[1].text.startswith(" ")  # Korean sentences are separated by a space


def test_chinese_markers_follow_without_a_space() -> None:
    pieces = chunks(
        ExtractiveModel(), request("绿洲图书馆有多少藏书？", [hit(1, HANS, Language.SIMPLIFIED)], Language.SIMPLIFIED)
    )
    text = "".join(p.text for p in pieces)
    assert "十五万册" in text and "。[1]" in text and " " not in text


def test_a_traditional_question_gets_a_simplified_passage_in_traditional() -> None:
    chat = request("綠洲圖書館有多少藏書？", [hit(1, HANS, Language.SIMPLIFIED)], Language.TRADITIONAL)
    text, _ = asyncio.run(complete(ExtractiveModel(), chat))
    assert "十五萬冊" in text and "十五万册" not in text


def test_a_simplified_question_gets_a_traditional_passage_in_simplified() -> None:
    chat = request("绿洲图书馆有多少藏书？", [hit(1, HANT, Language.TRADITIONAL)], Language.SIMPLIFIED)
    text, _ = asyncio.run(complete(ExtractiveModel(), chat))
    assert "十五万册" in text and "萬" not in text


def test_korean_text_is_left_as_it_is() -> None:
    mixed = "수목원 안내문에는 綠洲라는 한자 이름도 적혀 있다."
    chat = request("수목원 안내문에 적힌 한자 이름은?", [hit(1, mixed, Language.KOREAN)], Language.SIMPLIFIED)
    text, _ = asyncio.run(complete(ExtractiveModel(), chat))
    assert "綠洲" in text


def test_limits_come_from_the_constructor_and_clipped_text_ends_in_an_ellipsis() -> None:
    model = ExtractiveModel(ModelSettings(), max_sentences=1, max_chars=30)
    stations = chunks(
        model, request("铁路沿线设有多少个车站？", [hit(1, LONG, Language.SIMPLIFIED)], Language.SIMPLIFIED)
    )
    assert len(stations) == 1 and stations[0].text.endswith("沿线共设有二十六个车站。[1]")
    assert len(stations[0].text.removesuffix("[1]")) <= 30
    speed = chunks(model, request("列车最高时速是多少？", [hit(1, LONG, Language.SIMPLIFIED)], Language.SIMPLIFIED))
    assert len(speed) == 1 and speed[0].text.startswith("最高时速为一百六十公里")
    assert speed[0].text.endswith("公里…[1]")  # the clause's comma became an ellipsis
    assert len(speed[0].text.removesuffix("[1]")) <= 30


def test_no_passages_no_answer() -> None:
    assert chunks(ExtractiveModel(), request("아무 질문", [], Language.KOREAN)) == []


def test_a_line_in_the_question_language_says_which_language_the_quoted_sentences_are_in() -> None:
    template = "{languages} 문서에서 인용했습니다:"
    korean = chunks(
        ExtractiveModel(),
        replace(
            request("녹주도서관의 장서는 몇 권인가요?", [hit(1, HANS, Language.SIMPLIFIED)], Language.KOREAN),
            quoted=template,
        ),
    )
    assert korean[0].text == "중국어 문서에서 인용했습니다:\n" and "十五万册" in "".join(c.text for c in korean)
    for language, line in ((Language.TRADITIONAL, "引自韓文文件：\n"), (Language.SIMPLIFIED, "引自韩文文件：\n")):
        chat = replace(
            request("푸른숲 수목원 植物 3천 종", [hit(1, KO, Language.KOREAN)], language),
            quoted="引自{languages}文件：",
        )
        assert chunks(ExtractiveModel(), chat)[0].text == line
    same = replace(
        request("绿洲图书馆有多少藏书？", [hit(1, HANT, Language.TRADITIONAL)], Language.SIMPLIFIED),
        quoted="引自{languages}文件：",
    )
    assert all("引自" not in c.text for c in chunks(ExtractiveModel(), same))  # the other script is the same language
