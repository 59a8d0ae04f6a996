"""A hung or down model as the service's users feel it, over uvicorn and the demo index with a loopback model
server: Kakao still answers (extractively) within its deadline, and the breaker shows in /readyz and /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant.api.app import create_app
from assistant.api.routes.bots_kakao import LATE_TEXT
from assistant.settings import ApiSettings, ConversationSettings, ModelSettings, Settings
from tests.api.live_server import live_server
from tests.conftest import CORPUS
from tests.models.fake_servers import SilentServer, closed_port

QUESTION = "서울시 메타버스 플랫폼은 언제 완성되나요?"


@contextmanager
def served(index_dir: Path, model_url: str, api: ApiSettings, **model: Any) -> Iterator[str]:
    """The service over the demo index, its model an OpenAI-compatible server at ``model_url``."""
    options: dict[str, Any] = {
        "name": "openai", "model": "tiny-chat", "base_url": f"{model_url}/v1", "first_token_timeout": 30.0,
        "timeout": 30.0, "total_timeout": 30.0, "max_retries": 0,
    }  # fmt: skip
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        model=ModelSettings(**(options | model)),
        conversations=ConversationSettings(backend="memory"),
        api=api,
    )
    with live_server(create_app(settings)) as url:
        yield url


def kakao(url: str, utterance: str, user: str) -> httpx.Response:
    said = {"utterance": utterance, "user": {"id": user, "type": "botUserKey"}}
    return httpx.post(f"{url}/v1/bots/kakao", json={"userRequest": said}, timeout=30)


def test_kakao_without_a_callback_url_gets_the_extractive_answer_from_a_hung_model_in_time(
    demo_index_dir: Path,
) -> None:
    with (
        SilentServer() as model,
        served(demo_index_dir, model.url, ApiSettings(rate_limit=0, kakao_deadline=3.0)) as url,
    ):
        response = kakao(url, QUESTION, "hung-1")
        assert model.connections == 1  # the model was asked, and never answered
    assert response.status_code == 200, response.text
    outputs = response.json()["template"]["outputs"]
    text = outputs[0]["simpleText"]["text"]
    assert text != LATE_TEXT and "[1]" in text  # the cited extractive answer, not "send it again"
    assert outputs[1]["textCard"]["buttons"]


def test_the_model_breaker_shows_in_readyz_and_metrics(demo_index_dir: Path) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    with served(demo_index_dir, down, ApiSettings(rate_limit=0), breaker_failures=1, breaker_cooldown=60) as url:
        assert httpx.get(f"{url}/readyz").json()["model_breaker"] == "closed"
        reasons = []
        for _ in range(2):
            answer = httpx.post(f"{url}/v1/answer", json={"question": QUESTION}, timeout=30).json()
            assert answer["fallback"] and answer["citations"]
            reasons.append(answer["fallback_reason"].split(":")[0])
        assert reasons == ["model_unavailable", "model_circuit_open"]
        assert httpx.get(f"{url}/readyz").json()["model_breaker"] == "open"
        metrics = httpx.get(f"{url}/metrics").text
    assert "assistant_model_breaker_state 2.0" in metrics
