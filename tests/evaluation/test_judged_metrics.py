"""Model-judged metrics with scripted models, and with the OpenAI-compatible backend over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from assistant.errors import ModelUnavailableError
from assistant.evaluation.judged_metrics import (
    CORRECTNESS_PROMPT,
    FAITHFULNESS_PROMPT,
    Judgment,
    judge,
    judge_all,
    parse_score,
    summarize_judgments,
)
from assistant.evaluation.run_cache import RunCache
from assistant.models.base import ChatRequest, Chunk
from assistant.models.openai_compatible import OpenAICompatibleModel
from assistant.settings import ModelSettings
from tests.evaluation.sample_results import sample_results
from tests.fakes import ScriptedModel
from tests.models.fake_servers import Reply, serving, sse


class PromptedJudge:
    """A ``ChatModel`` that replies by which judge prompt it was sent."""

    def __init__(self, reply: Callable[[ChatRequest], str]) -> None:
        self.id = "prompted-judge"
        self.reply = reply
        self.requests: list[ChatRequest] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.requests.append(request)
        yield Chunk(self.reply(request))

    async def aclose(self) -> None:
        pass


def by_prompt(faithful: str, correct: str) -> Callable[[ChatRequest], str]:
    return lambda request: faithful if request.messages[0].content == FAITHFULNESS_PROMPT else correct


@pytest.mark.parametrize(
    ("reply", "score"),
    [("0.8", 0.8), ("1", 1.0), ("0", 0.0), ("Score: 0.25.", 0.25), ("yes", 1.0), ("Yes, it is.", 1.0),
     ("예", 1.0), ("是", 1.0), ("no", 0.0), ("아니요", 0.0), ("否", 0.0), ("7", None), ("1.5", None),
     ("maybe", None), ("", None)],
)  # fmt: skip
def test_judge_replies_are_read_as_scores(reply: str, score: float | None) -> None:
    assert parse_score(reply) == score


def test_a_cited_answer_to_an_answerable_case_gets_both_judgments() -> None:
    right = sample_results()[0]
    model = ScriptedModel(rewrite="0.75")  # requests without passages get the "rewrite" reply
    judgment = asyncio.run(judge(model, right))
    assert judgment == Judgment(0.75, 0.75, 0)
    faithfulness, correctness = model.requests
    assert faithfulness.messages[0].content == FAITHFULNESS_PROMPT and faithfulness.temperature == 0.0
    assert right.answer.citations[0].passage.text in faithfulness.messages[1].content
    assert correctness.messages[0].content == CORRECTNESS_PROMPT
    assert "2021년 11월" in correctness.messages[1].content and "[1]" not in correctness.messages[1].content


def test_what_is_not_judged_and_what_fails() -> None:
    results = sample_results()
    abstained = results[4]
    model = PromptedJudge(by_prompt("no", "1"))
    assert asyncio.run(judge(model, abstained)) == Judgment(None, 1.0, 0)  # nothing cited: no faithfulness
    unanswerable = results[2]
    assert asyncio.run(judge(model, unanswerable)) == Judgment(0.0, None, 0)  # no reference: no correctness
    rambling = PromptedJudge(lambda _: "I think it is rather good")
    assert asyncio.run(judge(rambling, results[0])) == Judgment(None, None, 2)


def test_a_failing_or_slow_judge_counts_as_a_failure_not_an_error() -> None:
    class Down(PromptedJudge):
        async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
            raise ModelUnavailableError("down")
            yield Chunk()

    assert asyncio.run(judge(Down(lambda _: ""), sample_results()[0])) == Judgment(None, None, 2)

    class Slow(PromptedJudge):
        async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
            await asyncio.sleep(5)
            yield Chunk("1")

    assert asyncio.run(judge(Slow(lambda _: ""), sample_results()[0], deadline=0.05)) == Judgment(None, None, 2)


def test_judgments_are_summarised_per_group_and_reused_from_the_cache(tmp_path: Path) -> None:
    results = sample_results()
    model = PromptedJudge(by_prompt("0.5", "1"))
    with RunCache(tmp_path, "j" * 64) as cache:
        judgments = asyncio.run(judge_all(model, results, cache=cache))
    calls = len(model.requests)
    assert calls == 4 + 4  # four answers cite something; four cases are answerable
    summary = summarize_judgments(results, judgments)
    assert summary["overall"] == {"faithfulness": 0.5, "correctness": 1.0, "faithfulness_judged": 4.0,
                                  "correctness_judged": 3.0, "judge_failures": 0.0}  # fmt: skip
    assert summary["cross-lingual"]["faithfulness_judged"] == 0.0
    assert summary["ko-question-zh-answer"]["faithfulness_judged"] == 0.0
    with RunCache(tmp_path, "j" * 64) as cache:
        again = asyncio.run(judge_all(model, results, cache=cache))
    assert len(model.requests) == calls and again == judgments


def test_the_judge_over_a_real_openai_compatible_server_on_loopback() -> None:
    def reply(text: str) -> Reply:
        return Reply(parts=[sse({"choices": [{"delta": {"content": text}}]}, "[DONE]")])

    with serving(reply("0.9"), reply("yes")) as server:
        settings = ModelSettings(name="openai", model="judge-mini", base_url=f"{server.url}/v1", timeout=2.0,
                                 max_retries=0)  # fmt: skip
        model = OpenAICompatibleModel(settings)

        async def run() -> Judgment:
            try:
                return await judge(model, sample_results()[0])
            finally:
                await model.aclose()

        judgment = asyncio.run(run())
    assert judgment == Judgment(0.9, 1.0, 0)
    first, second = server.requests
    assert first.path == "/v1/chat/completions" and first.body["model"] == "judge-mini"
    assert first.body["temperature"] == 0.0
    assert first.body["messages"][0] == {"role": "system", "content": FAITHFULNESS_PROMPT}
    assert second.body["messages"][0]["content"] == CORRECTNESS_PROMPT
