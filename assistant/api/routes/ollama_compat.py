"""The assistant as an Ollama model: ``POST /api/chat``, ``POST /api/generate``, ``GET /api/tags``,
``POST /api/show`` and ``GET /api/version``, so tools that speak Ollama can use it by its server address.

Streamed replies are NDJSON as Ollama sends them: pieces of text with ``done: false``, then one ``done: true``
line with ``done_reason`` and the counts and durations (nanoseconds). The messages are read, and the sources
block written, exactly as for /v1/chat/completions; the last line adds ``citations`` and ``conversation_id``.
Errors keep the service's one shape, ``{"error": {"code", "message"}}``, also as a line inside a stream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from ... import __version__
from ...answering.events import AnswerEvent
from ...errors import AssistantError, NotFoundError
from ...records import Answer
from ..chat_compat import MODEL_ID, answer_pieces, ask_options, footnotes, question_and_history
from ..schemas import OllamaChatRequest, OllamaGenerateRequest, OllamaShowRequest, error_responses
from ..service import Services, owner, services

router = APIRouter(prefix="/api", tags=["ollama"])
ServicesDep = Annotated[Services, Depends(services)]
OwnerDep = Annotated[str | None, Depends(owner)]

# The Ollama release whose API these routes follow, for clients that check /api/version before using a feature.
OLLAMA_API_VERSION = "0.12.0"
NDJSON = "application/x-ndjson"
Content = Callable[[str], dict[str, Any]]

_FINAL_FIELDS = """The last line (`done: true`) has `done_reason` (`stop`, or `load` for an empty request, which
only 'loads the model' as in Ollama), Ollama's `total_duration`, `load_duration` (0), `prompt_eval_count`,
`prompt_eval_duration` (rewriting and retrieval), `eval_count`, `eval_duration` (generation and checking the
citations), in nanoseconds, and two extra fields: `citations` (the cited passages: `n`, `passage_id`,
`document_id`, `title`, `section`, `source`, `language`, `text`, `start`, `end`, `score`, `supported`, as in
/v1/answer) and `conversation_id` (null unless `user` is given). The text itself ends with the sources block
(`출처`, `來源`, `来源` or `Sources`, then `[n] title — source` per citation). An error after the stream began
comes as one line `{"error": {"code", "message"}}`."""


def _streamed(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {NDJSON: {}, "application/json": {}}, "description": description},
        **error_responses(401, 413, 422, 429, 503),
    }


_CHAT = """Send `messages` as to any Ollama model; each line carries `message: {"role": "assistant", "content"}`.
Stateless like Ollama: the last user message is the question, the earlier ones the conversation, and nothing is
stored unless `user` is given.

"""
_GENERATE = """`prompt` is the question; each line carries `response`, a piece of the answer. Nothing is stored
unless `user` is given.

"""


@router.post("/chat", responses=_streamed("NDJSON lines, or one object when stream is false"),
             summary="Ollama-compatible chat (NDJSON stream or one object)",
             description=_CHAT + _FINAL_FIELDS)  # fmt: skip
async def chat(body: OllamaChatRequest, service: ServicesDep, asker: OwnerDep) -> Any:
    """Ollama's chat over the assistant: the last user message is the question."""
    if not body.messages:
        return _loaded(body.model, _message(""))
    question, history = question_and_history((m.role, m.content) for m in body.messages)
    return await _reply(service, body.model, question, ask_options(history, body.user, asker), body.stream, _message)


@router.post("/generate", responses=_streamed("NDJSON lines, or one object when stream is false"),
             summary="Ollama-compatible completion of a prompt (NDJSON stream or one object)",
             description=_GENERATE + _FINAL_FIELDS)  # fmt: skip
async def generate(body: OllamaGenerateRequest, service: ServicesDep, asker: OwnerDep) -> Any:
    """Ollama's generate over the assistant: the prompt is the question."""
    if not body.prompt:
        return _loaded(body.model, _response(""))
    options = ask_options([], body.user, asker)
    return await _reply(service, body.model, body.prompt, options, body.stream, _response)


@router.get("/tags", responses=error_responses(401, 429), summary="Ollama-compatible model list")
async def tags() -> dict[str, Any]:
    """One model, `assistant`: cited answers from this service's documents (any `model` value is accepted)."""
    return {"models": [{"name": MODEL_ID, "model": MODEL_ID, **_model_facts()}]}


@router.post("/show", responses=error_responses(401, 404, 422, 429), summary="Ollama-compatible model details")
async def show(body: OllamaShowRequest) -> dict[str, Any]:
    """What Ollama tells about a model, for `assistant` (or `assistant:latest`); any other name is 404."""
    name = body.model or body.name or ""
    if name.removesuffix(":latest") != MODEL_ID:
        raise NotFoundError(f"No model '{name}'. This service offers one model: send 'model': '{MODEL_ID}'.")
    facts = _model_facts()
    return {"modelfile": "", "parameters": "", "template": "", "details": facts["details"], "model_info": {},
            "capabilities": ["completion"], "modified_at": facts["modified_at"]}  # fmt: skip


@router.get("/version", responses=error_responses(401, 429), summary="Ollama-compatible version probe")
async def version() -> dict[str, str]:
    """The Ollama API version these routes follow (`version`), and this service's own (`assistant_version`)."""
    return {"version": OLLAMA_API_VERSION, "assistant_version": __version__}


_STARTED_AT = datetime.now(UTC)


def _model_facts() -> dict[str, Any]:
    return {
        "modified_at": _timestamp(_STARTED_AT),
        "size": 0,
        "digest": hashlib.sha256(f"{MODEL_ID} {__version__}".encode()).hexdigest(),
        "details": {"parent_model": "", "format": "assistant", "family": "assistant", "families": ["assistant"],
                    "parameter_size": "", "quantization_level": ""},
    }  # fmt: skip


def _message(text: str) -> dict[str, Any]:
    return {"message": {"role": "assistant", "content": text}}


def _response(text: str) -> dict[str, Any]:
    return {"response": text}


def _timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _line(model: str, fields: dict[str, Any], done: bool = False) -> dict[str, Any]:
    return {"model": model, "created_at": _timestamp(), **fields, "done": done}


def _loaded(model: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Ollama's answer to an empty request: the model is 'loaded' (ours always is)."""
    return {**_line(model, fields, done=True), "done_reason": "load"}


def _final(answer: Answer, remembered: bool) -> dict[str, Any]:
    """What the ``done: true`` line adds: Ollama's reason, counts and durations, and our citations."""
    ms = answer.timings_ms

    def ns(*stages: str) -> int:
        return round(sum(ms.get(stage, 0.0) for stage in stages) * 1_000_000)

    return {
        "done_reason": "stop",
        "total_duration": ns("total"),
        "load_duration": 0,
        "prompt_eval_count": answer.usage.get("prompt_tokens", 0),
        "prompt_eval_duration": ns("rewrite", "retrieval"),
        "eval_count": answer.usage.get("completion_tokens", 0),
        "eval_duration": ns("generation", "grounding"),
        "citations": [c.to_dict() for c in answer.citations],
        "conversation_id": answer.conversation_id if remembered else None,
    }


async def _reply(
    service: Services, model: str, question: str, options: dict[str, Any], stream: bool, content: Content
) -> Any:
    assistant = service.assistant
    remembered = options["user"] is not None
    if not stream:
        answer = await assistant.answer(question, **options)
        service.metrics.record_answer(answer)
        return {**_line(model, content(footnotes(answer)), done=True), **_final(answer, remembered)}
    events = assistant.stream(question, **options)
    await events.__anext__()  # retrieval errors surface as JSON errors before the stream starts
    return StreamingResponse(
        _lines(events, model, content, service, remembered), media_type=NDJSON, headers={"cache-control": "no-cache"}
    )


async def _lines(
    events: AsyncIterator[AnswerEvent], model: str, content: Content, service: Services, remembered: bool
) -> AsyncIterator[bytes]:
    def encode(data: dict[str, Any]) -> bytes:
        return json.dumps(data, ensure_ascii=False).encode() + b"\n"

    try:
        async with aclosing(answer_pieces(events)) as pieces:
            async for piece in pieces:
                if isinstance(piece, str):
                    yield encode(_line(model, content(piece)))
                    continue
                service.metrics.record_answer(piece)
                yield encode({**_line(model, content(""), done=True), **_final(piece, remembered)})
    except AssistantError as error:
        yield encode({"error": {"code": error.code, "message": str(error)}})
