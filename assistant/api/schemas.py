"""Request and response bodies of the HTTP API, with the examples shown in the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..records import Language
from ..retrieval.retriever import MAX_QUERY_CHARS
from ..text.validation import CleanStrings, CleanText, clean_strings

KO_QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"


class AskRequest(BaseModel):
    """A question for the assistant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": KO_QUESTION}]})

    question: CleanText = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question, in any language.")
    conversation_id: CleanText | None = Field(
        None, max_length=200, description="Continue this conversation; omit to start a new one."
    )
    user: CleanText | None = Field(None, max_length=200, description="Who is asking (stored with a new conversation).")
    top_k: int | None = Field(None, ge=1, le=50, description="How many passages to retrieve.")
    language: Language | None = Field(None, description="Answer language; detected from the question if omitted.")


class HitOut(BaseModel):
    """A retrieved passage."""

    passage_id: str
    document_id: str
    title: str
    section: str
    source: str
    language: str
    text: str
    start: int
    end: int
    score: float


class CitationOut(HitOut):
    """A numbered source of the answer."""

    n: int
    text: str = Field(description="The cited passage.")
    start: int = Field(description="Start of the supporting text in the document (characters).")
    supported: bool
    passage_start: int = Field(description="Where the cited passage starts in the document.")
    passage_end: int


class RelatedOut(HitOut):
    """A passage close to the question, shown when the documents do not answer it (never a citation)."""

    n: int


class AnswerOut(BaseModel):
    """A cited answer."""

    answer: str
    short_answer: str | None = Field(
        description="The phrase that answers the question (a date, amount, name…), shown first; null when none."
    )
    abstained: bool = Field(
        description="The documents do not answer the question: the answer says so and cites nothing; see related."
    )
    related: list[RelatedOut] = Field(
        description="When abstained: the closest passages, as 'related documents' (not citations); else empty."
    )
    citations: list[CitationOut]
    grounded: bool = Field(description="Every sentence is supported by a cited passage.")
    fallback: bool = Field(description="The language model failed and the answer was extracted instead.")
    fallback_reason: str | None
    conversation_id: str | None
    language: str
    model: str
    query: str = Field(description="The standalone query used for retrieval (follow-ups are rewritten).")
    timings_ms: dict[str, float]
    usage: dict[str, int]


class SearchOut(BaseModel):
    """Retrieval results, best first."""

    query: str
    hits: list[HitOut]


class SamplesOut(BaseModel):
    """Questions to offer a newcomer: ones the indexed documents answer."""

    questions: list[str]


class TextDocument(BaseModel):
    """A document given as JSON text."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "seoul-notice",
                    "title": "서울시 메타버스 안내",
                    "text": "서울시는 2026년까지 메타버스 서울 플랫폼을 완성한다.",
                    "source": "https://example.org/notice",
                }
            ]
        },
    )

    id: CleanText = Field(min_length=1, max_length=120, pattern=r"^[\w\-. ]+$", description="Document id.")
    title: CleanText = Field("", max_length=500)
    text: CleanText = Field(min_length=1, max_length=2_000_000)
    lang: CleanText | None = Field(None, max_length=20)
    source: CleanText | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _metadata_is_text(self) -> TextDocument:
        """The other fields are metadata: every string in them, names included, holds only text."""
        clean_strings(self.model_extra)
        return self


class DocumentOut(BaseModel):
    """An indexed document."""

    id: str
    title: str
    source: str
    date: str
    path: str
    passages: int


class DocumentsOut(BaseModel):
    """Indexed documents."""

    documents: list[DocumentOut]


class UploadOut(BaseModel):
    """Documents added (or replaced) by an upload."""

    documents: list[DocumentOut]


class DeletedOut(BaseModel):
    """What a deletion removed."""

    id: str
    deleted: bool = True
    passages: int = 0


class JobOut(BaseModel):
    """A large upload being indexed in the background; poll its URL (the Location header) until done or failed."""

    id: str
    state: Literal["queued", "running", "done", "failed"]
    name: str = Field(description="The uploaded file's name, or the JSON document's id plus '.jsonl'.")
    documents: list[str] = Field(description="Ids of the documents in the upload.")
    characters: int = Field(description="Characters of text in the upload.")
    passages: int = Field(description="Passages indexed, once done.")
    error: ErrorBody | None = Field(description="Why it failed (the index was left as it was); null otherwise.")
    created_at: float
    started_at: float | None
    finished_at: float | None
    timings_ms: dict[str, float] = Field(
        description="Once done: queued, analyse (chunk, tokenise, embed), lock_wait, write (merge, save, swap), total."
    )


class JobsOut(BaseModel):
    """Indexing jobs remembered by this service (unfinished ones and the last finished), newest first."""

    jobs: list[JobOut]


class TurnOut(BaseModel):
    """One question and answer of a conversation."""

    question: str
    query: str
    answer: str
    citations: list[CitationOut]
    language: str
    fallback: bool
    created_at: float
    feedback: int = 0


class ConversationSummaryOut(BaseModel):
    """A conversation as listed."""

    id: str
    user: str | None
    title: str = Field(description="The first question.")
    turns: int
    created_at: float
    updated_at: float


class ConversationsOut(BaseModel):
    """Conversations, most recently active first."""

    conversations: list[ConversationSummaryOut]


class FeedbackIn(BaseModel):
    """Thumbs up (1), thumbs down (-1) or no opinion (0) on one answer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"rating": 1}]})

    rating: Literal[-1, 0, 1]


class ConversationOut(BaseModel):
    """A conversation and its turns, oldest first."""

    id: str
    turns: list[TurnOut]


class ErrorBody(BaseModel):
    """What went wrong, and what to do about it."""

    code: str = Field(examples=["invalid_query"])
    message: str = Field(examples=["The question is empty. Type a question about your documents."])


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


class ChatCompletionMessage(BaseModel):
    """One message of an OpenAI chat completion request."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: Annotated[str | list[dict[str, Any]] | None, CleanStrings] = None


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat completions request (fields we do not use are accepted and ignored)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"model": "assistant", "messages": [{"role": "user", "content": KO_QUESTION}]}]
        },
    )

    model: CleanText = Field("assistant", max_length=200)
    messages: list[ChatCompletionMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    user: CleanText | None = Field(None, max_length=200)


_OLLAMA_USER = "Ours, not Ollama's: keep the exchange as one of this user's conversations (else nothing is stored)."


class OllamaMessage(BaseModel):
    """One message of an Ollama chat request (`images`, `tool_calls` and the like are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool"]
    content: CleanText = ""


class OllamaChatRequest(BaseModel):
    """The Ollama ``/api/chat`` request (`options`, `format`, `tools`, `think`, `keep_alive` are accepted and
    ignored)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"model": "assistant", "messages": [{"role": "user", "content": KO_QUESTION}]}]
        },
    )

    model: CleanText = Field("assistant", max_length=200)
    messages: list[OllamaMessage] = Field(
        default_factory=list, max_length=200, description="Empty only 'loads the model', as in Ollama."
    )
    stream: bool = Field(True, description="One JSON object per line (NDJSON); false for one object.")
    user: CleanText | None = Field(None, max_length=200, description=_OLLAMA_USER)


class OllamaGenerateRequest(BaseModel):
    """The Ollama ``/api/generate`` request: `prompt` is the question (`system`, `context`, `options`, `format`,
    `raw`, `keep_alive` are accepted and ignored)."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"model": "assistant", "prompt": KO_QUESTION}]}
    )

    model: CleanText = Field("assistant", max_length=200)
    prompt: CleanText = Field("", description="The question; empty only 'loads the model', as in Ollama.")
    stream: bool = Field(True, description="One JSON object per line (NDJSON); false for one object.")
    user: CleanText | None = Field(None, max_length=200, description=_OLLAMA_USER)


class OllamaShowRequest(BaseModel):
    """The Ollama ``/api/show`` request: which model to describe (`name` is its older spelling)."""

    model_config = ConfigDict(extra="allow")

    model: CleanText | None = Field(None, max_length=200)
    name: CleanText | None = Field(None, max_length=200)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can return."""
    descriptions = {
        400: "The request cannot be used as sent",
        401: "Missing or wrong API key",
        403: "The key's role does not allow this (documents need an admin key)",
        404: "No such conversation or document",
        413: "Request body too large",
        422: "A field is missing, has the wrong type or is out of range",
        429: "Too many requests; retry after the Retry-After header's seconds",
        503: "The index is not available",
    }
    return {code: {"model": ErrorOut, "description": descriptions[code]} for code in codes}
