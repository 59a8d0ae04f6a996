"""``POST /v1/chat/completions``: the assistant as an OpenAI-compatible model, so any OpenAI SDK can use it.

The last user message is the question; earlier user/assistant messages become the conversation, so a
follow-up works without our conversation ids. Citations ride along as a sources block at the end of the text
and as a ``citations`` field beside ``choices`` (on the last chunk when streamed).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sse_starlette import ServerSentEvent

from ...errors import AssistantError, NotFoundError
from ...records import Answer
from ...text.validation import CleanText
from ..chat_compat import MODEL_ID, answer_pieces, ask_options, footnotes, question_and_history
from ..event_stream import event_stream, sse_event
from ..schemas import ChatCompletionMessage, ChatCompletionRequest, error_responses
from ..service import Services, owner, services

router = APIRouter(prefix="/v1", tags=["openai"])
ServicesDep = Annotated[Services, Depends(services)]
OwnerDep = Annotated[str | None, Depends(owner)]


def _text(message: ChatCompletionMessage) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


@router.post(
    "/chat/completions",
    responses={
        200: {"content": {"application/json": {}, "text/event-stream": {}},
              "description": "A chat.completion object, or chat.completion.chunk events when stream is true"},
        **error_responses(401, 413, 422, 429, 503),
    },
    summary="OpenAI-compatible chat completions (streamed or not)",
)  # fmt: skip
async def chat_completions(body: ChatCompletionRequest, service: ServicesDep, asker: OwnerDep) -> Any:
    """Send `messages` as to any OpenAI model; `stream: true` returns `chat.completion.chunk` events ending with
    `data: [DONE]`. Like OpenAI's API this is stateless: the earlier messages are the conversation, and nothing
    is stored unless `user` is given (then the exchange is kept as one of that user's conversations, listed
    under /v1/conversations, and its `conversation_id` comes back).

    The sources come twice. In the text: it ends with a block titled in the answer's language (`출처`, `來源`,
    `来源`, else `Sources`) listing `[n] title — source` per citation, so a chat client that shows only the
    text still shows them (streamed, the block is the last content delta). And as extra fields beside
    `choices` (on the last chunk, the one with `finish_reason: "stop"`, when streamed): `citations` (the cited
    passages: `n`, `passage_id`, `document_id`, `title`, `section`, `source`, `language`, `text`, `start`,
    `end`, `score`, `supported`, as in /v1/answer) and `conversation_id` (null unless `user` is given)."""
    question, history = question_and_history((m.role, _text(m)) for m in body.messages)
    assistant = service.assistant
    options = ask_options(history, body.user, asker)
    completion_id = "chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if not body.stream:
        answer = await assistant.answer(question, **options)
        service.metrics.record_answer(answer)
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": footnotes(answer)},
                         "finish_reason": "stop"}],
            "usage": _usage(answer),
            "citations": [c.to_dict() for c in answer.citations],
            "conversation_id": answer.conversation_id if body.user is not None else None,
        }  # fmt: skip
    events = assistant.stream(question, **options)
    await events.__anext__()  # retrieval errors surface as JSON errors before the stream starts
    chunks = _chunks(events, completion_id, created, body.model, service, remembered=body.user is not None)
    return event_stream(chunks, service.settings.api.keepalive)


@router.get(
    "/models", responses=error_responses(401, 429),
    summary="OpenAI-compatible model list, so clients (Open WebUI, LibreChat, SDKs) discover the assistant",
)  # fmt: skip
async def models() -> dict[str, Any]:
    """One model, `assistant`: cited answers from this service's documents (any `model` value is accepted)."""
    return {"object": "list", "data": [_model_entry()]}


@router.get("/models/{model_id}", responses=error_responses(401, 404, 422, 429), summary="One model of /v1/models")
async def model(model_id: CleanText) -> dict[str, Any]:
    """The `assistant` model; any other id is 404."""
    if model_id != MODEL_ID:
        raise NotFoundError(f"No model '{model_id}'. This service offers one model, '{MODEL_ID}'.")
    return _model_entry()


def _model_entry() -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": _STARTED, "owned_by": "assistant"}


_STARTED = int(time.time())


def _usage(answer: Answer) -> dict[str, int]:
    prompt = answer.usage.get("prompt_tokens", 0)
    completion = answer.usage.get("completion_tokens", 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def _chunks(
    events: AsyncIterator[Any], completion_id: str, created: int, model: str, service: Services, remembered: bool
) -> AsyncIterator[ServerSentEvent]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ServerSentEvent:
        data = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra,
        }  # fmt: skip
        return sse_event(None, data)

    yield chunk({"role": "assistant", "content": ""})
    try:
        async with aclosing(answer_pieces(events)) as pieces:
            async for piece in pieces:
                if isinstance(piece, str):
                    yield chunk({"content": piece})
                    continue
                service.metrics.record_answer(piece)
                yield chunk({}, "stop", citations=[c.to_dict() for c in piece.citations], usage=_usage(piece),
                            conversation_id=piece.conversation_id if remembered else None)  # fmt: skip
    except AssistantError as error:
        yield sse_event(None, {"error": {"code": error.code, "message": str(error)}})
    yield sse_event(None, "[DONE]")
