"""The ``ChatModel`` contract, the records it speaks, and its registry.

A backend turns a ``ChatRequest`` into a stream of ``Chunk``s. Language-model backends read
``request.messages`` (already fenced and budgeted); the extractive composer reads ``request.question``
and ``request.passages`` directly. Failures raise ``ModelError`` subclasses from ``assistant.errors``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from ..answering.short_answer import Lead
from ..records import Hit, Language
from ..registry import Registry
from ..settings import ModelSettings

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts reported by the server (zero when it reports none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything a backend may use to compose an answer.

    ``passages`` are numbered from 1 in the order given; ``language`` is the question's language and script.
    """

    messages: Sequence[ChatMessage]
    question: str = ""
    passages: Sequence[Hit] = ()
    language: Language = Language.OTHER
    temperature: float | None = None
    max_tokens: int | None = None
    stop: Sequence[str] = field(default_factory=tuple)
    lead: Lead | None = None  # the answering phrase the extractive composer puts first
    quoted: str = ""  # the template of the extractive composer's line before sentences quoted in another language


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of streamed answer text; the last chunk of a stream may carry only ``usage``."""

    text: str = ""
    usage: Usage | None = None


@runtime_checkable
class ChatModel(Protocol):
    """Composes an answer as a stream of text chunks."""

    id: str

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Yield the answer's text as it is produced; raise a ``ModelError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections or memory held by the backend."""
        ...


async def complete(model: ChatModel, request: ChatRequest) -> tuple[str, Usage]:
    """The whole answer of a streamed call, and its usage."""
    parts: list[str] = []
    usage = Usage()
    async for chunk in model.stream(request):
        parts.append(chunk.text)
        if chunk.usage is not None:
            usage = chunk.usage
    return "".join(parts), usage


CHAT_MODELS: Registry[ChatModel] = Registry(
    "language model",
    {
        "extractive": "assistant.models.extractive:ExtractiveModel",
        "openai": "assistant.models.openai_compatible:OpenAICompatibleModel",
        "ollama": "assistant.models.ollama:OllamaModel",
        "transformers": "assistant.models.transformers_local:TransformersModel",
    },
)


def create_chat_model(settings: ModelSettings) -> ChatModel:
    """The backend the settings name; every backend takes the whole ``ModelSettings``."""
    return CHAT_MODELS.create(settings.name, settings=settings)
