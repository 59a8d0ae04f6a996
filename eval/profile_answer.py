"""CPU per answer, stage by stage, in one process: ``POST /v1/answer`` through the whole app, or the core alone.

    .venv/bin/python eval/profile_answer.py --index IDX [--questions eval/demo.jsonl] [--rounds 3]
        [--core] [--cprofile FILE] [--dump FILE]

Builds the app as ``assistant serve`` does (SQLite conversations in a temporary folder, no rate limit, the live
index), runs its startup, then posts every question of the file ``--rounds`` times in turn over
``httpx.ASGITransport`` (``--core``: calls ``Assistant.answer`` instead, without the HTTP layer). Reports the
process CPU time per answer, and how much of it the answer's stages took (each stage function timed by the CPU
time of its own thread, so stages run on the worker thread are counted exactly); "rest" is everything else: the
event loop, the framework, middleware, the client. The first round warms caches and is not counted.

``--dump FILE`` writes every answer's JSON (timings and ids taken out) to compare two versions' answers byte for
byte; ``--cprofile FILE`` saves a cProfile of the counted rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPENT: dict[str, float] = defaultdict(float)
_ACTIVE: set[int] = set()  # threads inside a timed stage (an inner stage's time is counted once, by the outer)


def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its thread CPU time added to ``SPENT[stage]``."""
    import threading

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        me = threading.get_ident()
        if me in _ACTIVE:
            return function(*args, **kwargs)
        _ACTIVE.add(me)
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[stage] += time.thread_time() - started
            _ACTIVE.discard(me)

    return wrapper


def instrument() -> None:
    """Time each stage of an answer where the core calls it."""
    from assistant import core
    from assistant.api import observability
    from assistant.conversations import sqlite
    from assistant.models import extractive
    from assistant.retrieval import retriever

    retriever.Retriever.search = timed("retrieval", retriever.Retriever.search)  # type: ignore[method-assign]
    core.judge = timed("answerability", core.judge)
    core.find_lead = timed("phrase reader", core.find_lead)
    extractive.compose_answer = timed("composing", extractive.compose_answer)
    core.ground = timed("citations", core.ground)
    sqlite.SQLiteConversationStore.append = timed("store write", sqlite.SQLiteConversationStore.append)  # type: ignore[method-assign]
    observability._log_request = timed("request log", observability._log_request)


def settings_for(index: Path, folder: Path) -> Any:
    from assistant.settings import Settings

    os.environ.update({
        "ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_CONVERSATIONS__PATH": str(folder / "conversations.sqlite3"),
        "ASSISTANT_API__RATE_LIMIT": "0", "HF_HUB_OFFLINE": "1",
    })  # fmt: skip
    return Settings()


async def run(args: argparse.Namespace, questions: list[str]) -> tuple[list[dict[str, Any]], float, int]:
    import httpx

    from assistant.api.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="profile-answer-"))
    app = create_app(settings_for(args.index, folder))
    answers: list[dict[str, Any]] = []
    async with app.router.lifespan_context(app):
        services = app.state.services
        while not services.ready:
            await asyncio.sleep(0.05)
        assistant = services.assistant
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def one(question: str) -> dict[str, Any]:
                if args.core:
                    return dict((await assistant.answer(question)).to_dict())
                response = await client.post("/v1/answer", json={"question": question})
                response.raise_for_status()
                return dict(response.json())

            for question in questions:  # warm-up round, not counted
                answers.append(await one(question))
            SPENT.clear()
            # the loop thread's CPU, and the assistant's worker thread's (profiles are per thread)
            profile = cProfile.Profile(time.thread_time) if args.cprofile else None
            worker = cProfile.Profile(time.thread_time) if args.cprofile else None
            started = time.process_time()
            if profile and worker:
                profile.enable()
                assistant._worker.submit(worker.enable).result()
            for _ in range(args.rounds):
                for question in questions:
                    await one(question)
            if profile and worker:
                profile.disable()
                assistant._worker.submit(worker.disable).result()
                profile.dump_stats(args.cprofile)
                worker.dump_stats(f"{args.cprofile}.worker")
            spent = time.process_time() - started
    return answers, spent, args.rounds * len(questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "demo.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", action="store_true", help="call the Assistant directly, without HTTP")
    parser.add_argument("--cprofile", type=Path)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING)  # as `assistant -q serve` (eval/benchmark_api.py) logs
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    instrument()
    answers, spent, count = asyncio.run(run(args, questions))
    per_answer = spent / count * 1000
    staged = sum(SPENT.values()) / count * 1000
    print(f"{count} answers, {per_answer:.2f} ms CPU per answer")
    for stage, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
        print(f"  {stage:<14} {seconds / count * 1000:6.2f} ms")
    print(f"  {'rest':<14} {per_answer - staged:6.2f} ms")
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for answer in answers:
                answer.pop("timings_ms", None)
                answer.pop("conversation_id", None)
                out.write(json.dumps(answer, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
