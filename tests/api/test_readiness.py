"""The service answers /livez as soon as it listens, and /readyz says 503 ``warming`` until the analysers are loaded."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest

from assistant.api.app import create_app
from assistant.core import Assistant
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS


def test_readyz_is_503_warming_until_the_warm_up_ends(
    demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    async def slow_warm_up(self: Assistant) -> None:
        await asyncio.to_thread(release.wait, 30)

    monkeypatch.setattr(Assistant, "warm_up", slow_warm_up)
    settings = settings_for(demo_index_dir, CORPUS, tmp_path)
    with live_server(create_app(settings), warm=False) as url:
        assert httpx.get(f"{url}/livez").status_code == 200
        warming = httpx.get(f"{url}/readyz")
        assert warming.status_code == 503 and warming.json()["status"] == "warming"
        release.set()
        for _ in range(100):
            ready = httpx.get(f"{url}/readyz")
            if ready.status_code == 200:
                break
            threading.Event().wait(0.05)
        assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_a_failed_warm_up_keeps_the_service_unready(
    demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_warm_up(self: Assistant) -> None:
        raise RuntimeError("no analyser")

    monkeypatch.setattr(Assistant, "warm_up", broken_warm_up)
    settings = settings_for(demo_index_dir, CORPUS, tmp_path)
    with live_server(create_app(settings), warm=False) as url:
        threading.Event().wait(0.3)
        response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503 and response.json()["status"] == "warming"
