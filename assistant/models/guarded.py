"""Any ``ChatModel`` held to a first-token and a total timeout, behind a circuit breaker.

The core wraps the model it is given in one ``GuardedModel``, so every backend (the HTTP servers, a local
``transformers`` model, a ``module:Class`` one) meets the same limits and the same breaker. The connection
and between-reads timeouts stay with the HTTP clients, where httpx applies them (``connect_timeout``,
``timeout``); the retries of ``with_retries`` happen inside the first-token and total timeouts.

What the breaker counts as a failure: ``ModelUnavailableError`` (unreachable, connection broken, 5xx after the
retries) and ``ModelTimeoutError`` (any of the timeouts). Any other ``ModelError`` means the server answered,
which counts as a success. A caller that stops reading (a client gone, the answer's own deadline) gives no
verdict. While the breaker is open, ``stream`` raises ``ModelCircuitOpenError`` before calling the model.

``stream_until`` reads any model from its own task up to the caller's deadline (the answer's, or a bot's),
so a late model is cancelled cleanly and the core can still answer extractively in time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from ..errors import ModelCircuitOpenError, ModelError, ModelTimeoutError, ModelUnavailableError
from ..settings import ModelSettings
from .base import ChatModel, ChatRequest, Chunk
from .circuit_breaker import CircuitBreaker


class GuardedModel:
    """Streams from ``model`` within the settings' first-token and total timeouts, skipping it while it is down."""

    def __init__(self, model: ChatModel, settings: ModelSettings, breaker: CircuitBreaker | None = None) -> None:
        self.model = model
        self.id = model.id
        self.first_token_timeout = settings.first_token_timeout
        self.total_timeout = settings.total_timeout
        self.breaker = breaker or CircuitBreaker(
            settings.breaker_failures, settings.breaker_cooldown, name=f"The model {model.id}"
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """The model's chunks; ``ModelTimeoutError`` when its first text or its end is late."""
        permit = self.breaker.acquire()
        if permit is None:
            raise ModelCircuitOpenError(
                f"{self.breaker.name} failed {self.breaker.failures} times in a row and is skipped for "
                f"{self.breaker.retry_in():.0f} s more (ASSISTANT_MODEL__BREAKER_COOLDOWN); answering extractively."
            )
        success: bool | None = None
        loop = asyncio.get_running_loop()
        end = loop.time() + self.total_timeout
        first_text_by = min(loop.time() + self.first_token_timeout, end)
        seen_text = False
        chunks = self.model.stream(request)
        try:
            while True:
                limit = asyncio.timeout_at(end if seen_text else first_text_by)
                try:
                    async with limit:
                        chunk = await anext(chunks, None)
                except TimeoutError:
                    if not limit.expired():
                        raise  # the model's own, not ours
                    raise self._late(seen_text) from None
                if chunk is None:
                    success = True
                    return
                seen_text = seen_text or bool(chunk.text)
                yield chunk
        except (ModelUnavailableError, ModelTimeoutError):
            success = False
            raise
        except ModelError:
            success = True  # the server answered, if not usefully
            raise
        finally:
            self.breaker.release(permit, success)
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()

    async def aclose(self) -> None:
        """Release the model's connections or memory."""
        await self.model.aclose()

    def _late(self, seen_text: bool) -> ModelTimeoutError:
        if seen_text:
            return ModelTimeoutError(
                f"{self.id} did not finish its answer within {self.total_timeout:g} s. "
                "Raise ASSISTANT_MODEL__TOTAL_TIMEOUT or lower ASSISTANT_MODEL__MAX_TOKENS."
            )
        return ModelTimeoutError(
            f"{self.id} sent no answer text within {self.first_token_timeout:g} s. "
            "Raise ASSISTANT_MODEL__FIRST_TOKEN_TIMEOUT for a slow model, or check that its server is not stuck."
        )


_END = object()


async def stream_until(model: ChatModel, request: ChatRequest, until: float) -> AsyncIterator[Chunk]:
    """The model's chunks, read from its own task until ``until`` (event-loop time), then ``ModelTimeoutError``;
    the model is cancelled cleanly at the deadline or when the caller stops reading."""
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def produce() -> None:
        try:
            async for chunk in model.stream(request):
                await queue.put(chunk)
            await queue.put(_END)
        except BaseException as error:  # handed to the reader, which raises it in its own task
            await queue.put(error)

    loop = asyncio.get_running_loop()
    budget = until - loop.time()
    task = asyncio.create_task(produce())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), max(until - loop.time(), 0.0))
            except TimeoutError:
                raise ModelTimeoutError(
                    f"The model was cut off after {budget:.1f} s to answer in time "
                    "(ASSISTANT_ANSWER__DEADLINE, or the bot's own deadline)."
                ) from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Chunk)
            yield item
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
