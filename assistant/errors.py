"""The one error tree of the assistant.

Every error a user can meet derives from ``AssistantError`` and says what to do next.
The CLI prints ``str(error)``; the HTTP API maps ``status_code`` to a response.

    AssistantError
    ├── ConfigurationError        settings that cannot work (unknown backend, missing extra)
    │   └── MissingDependencyError   an optional package is not installed
    ├── IngestError               a corpus folder or document that cannot be read
    │   └── DocumentError            one document is unusable (empty, binary, malformed)
    │       └── DocumentTooLargeError       longer than the limit for its route (413)
    ├── IndexError_               an index folder that cannot be used
    │   ├── IndexNotFoundError       no index has been built there yet
    │   ├── IndexMismatchError       built with other settings than the ones in force
    │   ├── IndexBusyError           too many uploads already waiting to be indexed
    │   └── StoreUnavailableError    the search store's server (Milvus) cannot be reached
    ├── EmbedderError             an embedder that cannot turn text into vectors as configured
    │   ├── EmbedderUnavailableError  the model is not available locally, or its server cannot be reached
    │   └── EmbedderResponseError     the embedding server refused the request or answered off-protocol
    ├── InvalidQueryError         a question or search that cannot be answered as asked
    │   └── InvalidTextError         text holding what is not text: NUL, control characters, invalid Unicode
    ├── NotFoundError             a conversation or document id that does not exist
    │   └── NotEnabledError          a feature (a bot webhook) that is not configured on this service
    ├── UnauthorizedError         a request without the credentials a route needs
    ├── ForbiddenError            a key whose role does not allow the request (a reader writing documents)
    ├── OutboundError             a request the server makes to a URL a user named (a Kakao callback) that failed
    │   └── OutboundRefusedError     refused by the outbound guard: scheme, host, address or redirect
    ├── ServiceError              a client (the LangChain/LlamaIndex retriever) could not use the assistant's service
    ├── RedisUnavailableError     the configured Redis cannot be reached or refused the command (503)
    └── ModelError                a language model call that failed (the answer falls back to extraction)
        ├── ModelUnavailableError    the server cannot be reached or answers 5xx
        │   └── ModelCircuitOpenError    skipped: it failed too often lately (circuit breaker open)
        ├── ModelTimeoutError        no first token, or no whole answer, within its timeout or the deadline
        ├── ModelRateLimitError      429 after the retries ran out (``retry_after`` in seconds)
        ├── ModelQuotaError          quota or billing exhausted; retrying will not help
        ├── ModelAuthError           the API key was refused
        └── ModelResponseError       an answer that does not follow the protocol
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    status_code = 500
    code = "internal_error"


class ConfigurationError(AssistantError):
    """Settings that cannot work as given."""

    status_code = 500
    code = "configuration_error"


class MissingDependencyError(ConfigurationError):
    """An optional package needed by the chosen backend is not installed."""

    code = "missing_dependency"

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the '{package}' package. Install it with: pip install 'assistant[{extra}]'")
        self.package = package
        self.extra = extra


class IngestError(AssistantError):
    """A corpus that cannot be read."""

    status_code = 400
    code = "ingest_error"


class DocumentError(IngestError):
    """One document that cannot be turned into passages."""

    code = "bad_document"


class DocumentTooLargeError(DocumentError):
    """A document or upload over its size limit; the message names the setting."""

    status_code = 413
    code = "document_too_large"


class IndexError_(AssistantError):
    """An index folder that cannot be used."""

    status_code = 503
    code = "index_error"


class IndexNotFoundError(IndexError_):
    """No index has been built in the folder."""

    code = "index_not_found"


class IndexMismatchError(IndexError_):
    """The index was built with settings other than the ones in force."""

    code = "index_mismatch"


class IndexBusyError(IndexError_):
    """Too many uploads are waiting to be indexed; try again later."""

    code = "index_busy"


class StoreUnavailableError(IndexError_):
    """The search store's server cannot be reached."""

    code = "store_unavailable"


class EmbedderError(AssistantError):
    """The configured embedder cannot turn text into vectors; never replaced by another one behind the user's back."""

    status_code = 503
    code = "embedder_error"


class EmbedderUnavailableError(EmbedderError):
    """A configured embedding model cannot be loaded on this machine, or its server cannot be reached."""

    status_code = 503
    code = "embedder_unavailable"


class EmbedderResponseError(EmbedderError):
    """The embedding server refused the request (a bad key) or answered something off-protocol (a wrong size)."""

    status_code = 502
    code = "embedder_bad_response"


class InvalidQueryError(AssistantError):
    """A question or search request that cannot be served as asked."""

    status_code = 422
    code = "invalid_query"


class InvalidTextError(InvalidQueryError):
    """A user-supplied string (any field, not only a question) with characters that are not text.

    A kind of ``InvalidQueryError`` so that every place that reports a bad question (the CLI chat, the bots)
    reports this one too.
    """

    code = "invalid_text"


class NotFoundError(AssistantError):
    """A conversation, document or other record that does not exist."""

    status_code = 404
    code = "not_found"


class NotEnabledError(NotFoundError):
    """A route whose feature is not configured here; says which setting turns it on."""

    code = "not_enabled"


class UnauthorizedError(AssistantError):
    """Missing or wrong credentials for a route."""

    status_code = 401
    code = "unauthorized"


class ForbiddenError(AssistantError):
    """A key that is accepted but whose role does not allow the request."""

    status_code = 403
    code = "forbidden"


class OutboundError(AssistantError):
    """A request the server sends to a URL a user named that did not go through (no answer in time, a broken
    connection, a TLS failure, an answer too long)."""

    status_code = 502
    code = "outbound_failed"


class OutboundRefusedError(OutboundError):
    """A URL the server will not send to: not https, a host off the allow-list, an address that is not public,
    or a redirect. The message names the setting that decides it; nothing was sent."""

    status_code = 422
    code = "outbound_refused"


class ServiceError(AssistantError):
    """The assistant's HTTP service, called by a client such as the LangChain or LlamaIndex retriever, could not be
    reached, refused the request for a reason without a class of its own (a rate limit), or answered off-protocol."""

    status_code = 502
    code = "service_error"


class RedisUnavailableError(AssistantError):
    """The Redis that ``redis.url`` names cannot be reached, refused the password, or failed a command; what the
    workers share there (conversations) cannot be read or written until it is back."""

    status_code = 503
    code = "redis_unavailable"


class ModelError(AssistantError):
    """A language model call that failed; the assistant answers extractively instead."""

    status_code = 502
    code = "model_error"


class ModelUnavailableError(ModelError):
    """The model server cannot be reached or keeps failing."""

    status_code = 503
    code = "model_unavailable"


class ModelCircuitOpenError(ModelUnavailableError):
    """The model failed too many times in a row and is skipped until its cool-down is over."""

    code = "model_circuit_open"


class ModelTimeoutError(ModelError):
    """The model did not answer within the timeout or the answer deadline."""

    status_code = 504
    code = "model_timeout"


class ModelRateLimitError(ModelError):
    """The model server kept answering 429 after the retries."""

    status_code = 429
    code = "model_rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ModelQuotaError(ModelError):
    """The account's quota or billing is exhausted; retrying will not help."""

    status_code = 402
    code = "model_quota_exceeded"


class ModelAuthError(ModelError):
    """The model server refused the API key."""

    status_code = 502
    code = "model_auth_failed"


class ModelResponseError(ModelError):
    """The model server answered something that does not follow its protocol."""

    code = "model_bad_response"
