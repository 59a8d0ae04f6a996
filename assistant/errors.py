"""The one error tree of the assistant.

Every error a user can meet derives from ``AssistantError`` and says what to do next.
The CLI prints ``str(error)``; the HTTP API maps ``status_code`` to a response.

    AssistantError
    ├── ConfigurationError        settings that cannot work (unknown backend, missing extra)
    │   └── MissingDependencyError   an optional package is not installed
    ├── IngestError               a corpus folder or document that cannot be read
    │   └── DocumentError            one document is unusable (empty, binary, malformed)
    ├── IndexError_               an index folder that cannot be used
    │   ├── IndexNotFoundError       no index has been built there yet
    │   └── IndexMismatchError       built with other settings than the ones in force
    ├── EmbedderUnavailableError  a configured embedding model is not available locally
    ├── InvalidQueryError         a question or search that cannot be answered as asked
    ├── NotFoundError             a conversation or document id that does not exist
    │   └── NotEnabledError          a feature (a bot webhook) that is not configured on this service
    ├── UnauthorizedError         a request without the credentials a route needs
    └── ModelError                a language model call that failed (the answer falls back to extraction)
        ├── ModelUnavailableError    the server cannot be reached or answers 5xx
        ├── ModelTimeoutError        no answer within the timeout or deadline
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


class EmbedderUnavailableError(AssistantError):
    """A configured embedding model cannot be loaded on this machine."""

    status_code = 503
    code = "embedder_unavailable"


class InvalidQueryError(AssistantError):
    """A question or search request that cannot be served as asked."""

    status_code = 422
    code = "invalid_query"


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


class ModelError(AssistantError):
    """A language model call that failed; the assistant answers extractively instead."""

    status_code = 502
    code = "model_error"


class ModelUnavailableError(ModelError):
    """The model server cannot be reached or keeps failing."""

    status_code = 503
    code = "model_unavailable"


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
