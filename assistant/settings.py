"""The one settings object: defaults, then ``ASSISTANT_*`` environment variables (``__`` for nesting).

Load it explicitly with ``Settings()``; nothing reads the environment at import time.
Example: ``ASSISTANT_RETRIEVAL__TOP_K=8`` or ``ASSISTANT_EMBEDDER__NAME=sentence-transformers``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ChunkingSettings(BaseModel):
    """How documents are cut into passages."""

    size: int = Field(200, ge=50, le=4000, description="Target passage length in characters (Korean and other).")
    overlap: int = Field(50, ge=0, description="Characters of trailing sentences repeated in the next passage.")
    chinese_size: int = Field(
        100, ge=30, le=4000,
        description="Target passage length for Chinese documents: a Han character says about what two Hangul "
        "syllables do, and shorter passages tell apart the paragraphs of one article (DRCD recall@1 0.955 → 0.963).",
    )  # fmt: skip
    chinese_overlap: int = Field(30, ge=0, description="Overlap for Chinese documents.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> ChunkingSettings:
        for size, overlap, name in (
            (self.size, self.overlap, ""),
            (self.chinese_size, self.chinese_overlap, "chinese_"),
        ):
            if overlap >= size:
                raise ValueError(
                    f"chunking.{name}overlap ({overlap}) must be smaller than chunking.{name}size ({size})"
                )
        return self


class EmbedderSettings(BaseModel):
    """Which dense embedder to use."""

    name: str = Field("hashing", description="'hashing' (offline, no model), 'sentence-transformers' or 'none'.")
    model: str = Field(
        "intfloat/multilingual-e5-small",
        description="sentence-transformers model name or local path (used when name='sentence-transformers').",
    )
    dimension: int = Field(256, ge=16, le=8192, description="Vector size of the hashing embedder.")
    batch_size: int = Field(32, ge=1)
    device: str = "cpu"


class RetrievalSettings(BaseModel):
    """How keyword and dense results are fused and cut."""

    top_k: int = Field(5, ge=1, le=200)
    fusion: Literal["weighted", "rrf"] = "weighted"
    keyword_weight: float = Field(0.9, ge=0.0)
    dense_weight: float = Field(0.1, ge=0.0)
    field_weights: dict[str, float] = Field(
        default_factory=lambda: {"morphemes": 1.0, "bigrams": 1.0, "characters": 1.0},
        description="Keyword fields (tokenizer names) and their weights; the names are fixed when an index is built.",
    )
    document_weight: float = Field(
        1.0, ge=0.0, description="How much a passage's score follows its whole document's keyword match."
    )
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(50, ge=1, description="How many results each side contributes before fusion.")
    per_document: int | None = Field(None, ge=1, description="At most this many passages per document.")
    min_score: float = Field(
        0.1, ge=0.0, description="Hits whose weighted relevance is under this count as 'nothing relevant'."
    )
    vector_backend: str = Field("faiss", description="Vector index backend (a registry name or module:Class).")
    vector_index: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_above: int = Field(100_000, ge=1, description="'auto' switches from exact search to HNSW above this.")


class ModelSettings(BaseModel):
    """Which language model composes answers, and how it is called."""

    name: str = Field(
        "extractive",
        description="'extractive' (no model), 'openai' (any OpenAI-compatible server), 'ollama', 'transformers', "
        "or a 'module:Class' path.",
    )
    model: str = Field("gpt-4o-mini", description="Model name sent to the server, or a local path for 'transformers'.")
    base_url: str = Field(
        "https://api.openai.com/v1",
        description="Server root: '.../v1' for 'openai', 'http://localhost:11434' for ollama.",
    )
    api_key: SecretStr | None = Field(None, description="Sent as a Bearer token; never logged.")
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for each read from the server.")
    connect_timeout: float = Field(5.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429 and 5xx before giving up.")
    backoff: float = Field(0.5, ge=0, description="First retry delay in seconds; doubles each time, with jitter.")
    max_backoff: float = Field(8.0, ge=0, description="Longest wait between retries, Retry-After included.")
    temperature: float = Field(0.2, ge=0, le=2)
    max_tokens: int = Field(512, ge=1)
    device: str = "cpu"


class AnswerSettings(BaseModel):
    """How answers are composed, grounded and bounded."""

    deadline: float = Field(
        60.0, gt=0, description="Seconds a model may take for a whole answer before the extractive fallback."
    )
    context_chars: int = Field(4000, ge=200, description="Character budget for the numbered passages in a prompt.")
    history_turns: int = Field(4, ge=0, description="Earlier turns shown to the model and used for follow-ups.")
    history_chars: int = Field(1500, ge=0, description="Character budget for those turns.")
    max_sentences: int = Field(2, ge=1, description="Sentences in an extractive answer.")
    max_chars: int = Field(200, ge=40, description="Characters in an extractive answer (markers excluded).")
    support_threshold: float = Field(
        0.35, ge=0, le=1, description="Share of a sentence's terms its cited passage must contain to support it."
    )
    abstain: bool = Field(
        True,
        description="Say 'not in the documents' when the retrieved passages do not answer the question "
        "(decided by a calibrated model of how much of the question they cover), instead of quoting the closest.",
    )
    answerable_threshold: float | None = Field(
        None, ge=0, le=1,
        description="Probability of being answerable under which to abstain; empty keeps the calibrated one. "
        "Higher declines more, lower answers more.",
    )  # fmt: skip
    related: int = Field(3, ge=0, le=20, description="Closest passages shown as 'related' when abstaining.")
    rewrite_follow_ups: bool = Field(True, description="Rewrite follow-up questions into standalone queries.")
    reader: str = Field(
        "rules",
        description="Finds the answer phrase shown first (short_answer): 'rules' (no model), 'transformers' "
        "(an extractive question-answering model in a local folder, see reader_model), 'none', or 'module:Class'.",
    )
    reader_model: str = Field("", description="Local folder of the extractive QA model for reader='transformers'.")
    reader_device: str = Field("cpu", description="Device for reader='transformers'.")
    prompts_dir: Path = Field(Path("prompts"), description="Folder of editable prompt templates, one set per language.")


class ConversationSettings(BaseModel):
    """Where conversations are kept."""

    backend: str = Field("sqlite", description="'sqlite', 'memory', or a 'module:Class' path.")
    path: Path = Field(Path("data/conversations.sqlite3"), description="SQLite file for the 'sqlite' backend.")
    max_turns: int = Field(50, ge=1, description="Turns kept per conversation; older ones are dropped.")


class ApiSettings(BaseModel):
    """The HTTP service: address, keys, limits and the messaging bots."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Keys accepted on /v1 routes (Authorization: Bearer KEY or X-API-Key); none means open access.",
    )
    rate_limit: int = Field(120, ge=0, description="Requests per minute per key or client address; 0 turns it off.")
    rate_burst: int = Field(30, ge=1, description="Requests a client may make at once before the rate applies.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest document upload.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a browser.")
    keepalive: float = Field(10.0, gt=0, description="Seconds between SSE keep-alive pings.")
    kakao_deadline: float = Field(
        3.5, gt=0, le=5, description="Seconds to answer a Kakao skill before switching to its callback URL."
    )
    telegram_secret: SecretStr | None = Field(None, description="X-Telegram-Bot-Api-Secret-Token to expect.")
    telegram_token: SecretStr | None = Field(None, description="Bot token used to call sendMessage.")
    telegram_api_base: str = Field("https://api.telegram.org", description="Telegram Bot API root.")


class Settings(BaseSettings):
    """Everything the assistant can be told, in one place."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", env_file=None, extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    log_level: str = "INFO"
    chunking: ChunkingSettings = ChunkingSettings()
    embedder: EmbedderSettings = EmbedderSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    model: ModelSettings = ModelSettings()
    answer: AnswerSettings = AnswerSettings()
    conversations: ConversationSettings = ConversationSettings()
    api: ApiSettings = ApiSettings()
