"""Fakes that speak our contracts, for tests that need a model to misbehave on cue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence

from assistant.models.base import ChatRequest, Chunk, Usage


class ScriptedModel:
    """A ``ChatModel`` that streams a scripted answer, optionally failing or stalling after some chunks."""

    def __init__(
        self,
        chunks: Sequence[str] | Callable[[ChatRequest], Sequence[str]] = (),
        *,
        fail_after: int | None = None,
        error: Exception | None = None,
        delay: float = 0.0,
        rewrite: str | None = None,
    ) -> None:
        self.id = "scripted"
        self.chunks = chunks
        self.fail_after = fail_after
        self.error = error or RuntimeError("scripted failure")
        self.delay = delay
        self.rewrite = rewrite
        self.requests: list[ChatRequest] = []
        self.cancelled = False
        self.closed = False

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Yield the script; a request without passages is a follow-up rewrite."""
        self.requests.append(request)
        if not request.passages:
            yield Chunk(self.rewrite or "")
            return
        chunks = self.chunks(request) if callable(self.chunks) else self.chunks
        try:
            for i, text in enumerate(chunks):
                if self.fail_after is not None and i >= self.fail_after:
                    raise self.error
                if self.delay:
                    await asyncio.sleep(self.delay)
                yield Chunk(text)
            if self.fail_after is not None and self.fail_after >= len(chunks):
                raise self.error
            yield Chunk(usage=Usage(prompt_tokens=11, completion_tokens=len(chunks)))
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    async def aclose(self) -> None:
        """Remember that we were closed."""
        self.closed = True
