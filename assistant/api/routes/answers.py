"""``POST /v1/answer``, ``POST /v1/chat`` (Server-Sent Events) and ``GET /v1/search``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from ...answering.events import Delta, Done, Fallback, Retrieved
from ...errors import AssistantError
from ...languages import detect_language
from ...records import Answer, Language
from ...retrieval.retriever import MAX_QUERY_CHARS, SearchOptions
from ...text.validation import CleanText
from ..event_stream import event_stream, sse_event
from ..schemas import AnswerOut, AskRequest, SamplesOut, SearchOut, error_responses
from ..service import Services, owner, services

router = APIRouter(prefix="/v1", tags=["answers"])
ServicesDep = Annotated[Services, Depends(services)]
OwnerDep = Annotated[str | None, Depends(owner)]


@router.post(
    "/answer", response_model=AnswerOut, responses=error_responses(401, 404, 413, 422, 429, 503),
    summary="Answer a question with citations (for bots and apps)",
)  # fmt: skip
async def answer(body: AskRequest, request: Request, service: ServicesDep, asker: OwnerDep) -> JSONResponse:
    """The whole cited answer at once. A missing `conversation_id` starts a new conversation; its id comes back.
    A `conversation_id` this key did not start is 404."""
    result = await service.assistant.answer(
        body.question, body.conversation_id, top_k=body.top_k, language=body.language, user=body.user, owner=asker
    )
    service.metrics.record_answer(result)
    request.scope["state"]["timings"] = result.timings_ms  # for the request's log line
    # Answer.to_dict already has AnswerOut's shape (the schema tests hold it to that); skipping the second
    # validation pass saves a noticeable share of a 5 ms answer.
    return JSONResponse(result.to_dict())


@router.post(
    "/chat", responses={200: {"content": {"text/event-stream": {}}, "description": "SSE stream of answer events"},
                        **error_responses(401, 404, 413, 422, 429, 503)},
    summary="Answer a question as a stream of Server-Sent Events",
)  # fmt: skip
async def chat(body: AskRequest, service: ServicesDep, asker: OwnerDep) -> EventSourceResponse:
    """Events: `citations` (the retrieved passages, numbered), `delta` (answer text), `fallback` (the model failed,
    discard the text so far), `done` (the final answer), or `error`. Comment lines (`: ping`) keep the
    connection alive. Closing the connection cancels the model call."""
    events = service.assistant.stream(
        body.question, body.conversation_id, top_k=body.top_k, language=body.language, user=body.user, owner=asker
    )
    first = await _first_event(events)  # errors before any output become normal JSON error responses
    return event_stream(_sse(first, events, service), service.settings.api.keepalive)


@router.get(
    "/search", response_model=SearchOut, responses=error_responses(401, 422, 429, 503),
    summary="Retrieve passages without composing an answer",
)  # fmt: skip
async def search(
    service: ServicesDep,
    q: Annotated[CleanText, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The query.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
) -> dict[str, Any]:
    """Passages ranked by hybrid keyword + dense retrieval, with scores."""
    retriever = service.assistant.retriever
    hits = await asyncio.to_thread(retriever.search, q, SearchOptions(top_k=k))
    return {"query": q, "hits": [hit.to_dict() for hit in hits]}


@router.get(
    "/sample-questions", response_model=SamplesOut, responses=error_responses(401, 429),
    summary="Questions the documents answer, for the chat page's empty state",
)  # fmt: skip
async def sample_questions(service: ServicesDep) -> dict[str, Any]:
    """`api.sample_questions` when set; else up to three indexed document titles phrased as questions (a FAQ's),
    one per language first. Empty when there are none."""
    configured = service.settings.api.sample_questions
    if configured or service.live is None:
        return {"questions": configured[:_SAMPLES]}
    titles = [entry.title.strip() for entry in service.live.documents()]
    return {"questions": _question_titles(titles)}


_SAMPLES = 3
_QUESTION_ENDS = ("?", "？")


def _question_titles(titles: list[str]) -> list[str]:
    """Up to ``_SAMPLES`` titles that are questions, one per language before a second of any."""
    questions = [title for title in titles if title.endswith(_QUESTION_ENDS) and len(title) <= 80]
    chosen: list[str] = []
    seen: set[Language] = set()
    for title in questions:
        language = detect_language(title)
        if language not in seen:
            seen.add(language)
            chosen.append(title)
    chosen += [title for title in questions if title not in chosen]
    return chosen[:_SAMPLES]


async def _first_event(events: AsyncIterator[Any]) -> Any:
    return await events.__anext__()


async def _sse(first: Any, events: AsyncIterator[Any], service: Services) -> AsyncIterator[ServerSentEvent]:
    """The answer's events as SSE; a failure after the stream started is reported as an ``error`` event."""
    try:
        yield _event(first, service)
        async for event in events:
            yield _event(event, service)
    except AssistantError as error:
        yield sse_event("error", {"error": {"code": error.code, "message": str(error)}})
    except Exception:  # the stream has started: report it as an event, never as a traceback
        logging.getLogger("assistant.api").exception("answer stream failed")
        yield sse_event("error", {"error": {"code": "internal_error", "message": "The answer failed. Try again."}})
    finally:
        await events.aclose()  # type: ignore[attr-defined]


def _event(event: Any, service: Services) -> ServerSentEvent:
    if isinstance(event, Retrieved):
        hits = [{"n": n, **hit.to_dict()} for n, hit in enumerate(event.hits, start=1)]
        return sse_event("citations", {"conversation_id": event.conversation_id, "query": event.query, "hits": hits})
    if isinstance(event, Delta):
        return sse_event("delta", {"text": event.text})
    if isinstance(event, Fallback):
        return sse_event("fallback", {"reason": event.reason})
    assert isinstance(event, Done)
    answer: Answer = event.answer
    service.metrics.record_answer(answer)
    return sse_event("done", answer.to_dict())
