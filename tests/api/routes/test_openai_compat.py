"""The OpenAI-compatible chat completions over real HTTP, through the openai SDK: the streamed text ends with the
same sources block as the whole reply, titled in the answer's language, and the extra fields are documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api.app import create_app
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def served(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over the demo index, without keys."""
    with live_server(create_app(settings_for(demo_index_dir, CORPUS, tmp_path_factory.mktemp("openai")))) as url:
        yield url


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("가상융합산업 기본계획의 중점 방향은 몇 가지인가요?", "출처"),
        ("首爾市的元宇宙平台預計哪一年完成？", "來源"),
        ("2021年韩国给线上展馆投了多少钱？", "来源"),
    ],
)
def test_the_streamed_text_ends_with_the_sources_block_of_the_whole_reply(
    served: str, question: str, title: str
) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{served}/v1", api_key="unused", max_retries=0)
    messages = [{"role": "user", "content": question}]
    whole = client.chat.completions.create(model="assistant", messages=messages)
    content = whole.choices[0].message.content or ""
    assert f"\n\n{title}\n[1] " in content
    block = content[content.index(f"\n\n{title}\n") :]
    chunks = list(client.chat.completions.create(model="assistant", messages=messages, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed.endswith(block)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.model_extra
    citations = last.model_extra["citations"]
    assert citations and whole.model_extra and citations == whole.model_extra["citations"]
    assert block.count("\n[") == len(citations) and last.model_extra["conversation_id"] is None


def test_the_extra_fields_are_documented(served: str) -> None:
    operation = httpx.get(served + "/openapi.json").json()["paths"]["/v1/chat/completions"]["post"]
    for words in ("`citations`", "`conversation_id`", "출처", "Sources", "last chunk"):
        assert words in operation["description"]
