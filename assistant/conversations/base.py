"""The ``ConversationStore`` contract and its registry."""

from __future__ import annotations

import inspect
import secrets
from typing import Protocol, runtime_checkable

from ..errors import NotFoundError
from ..records import Citation, ConversationSummary, Language, Turn
from ..registry import Registry
from ..settings import ConversationSettings, RedisSettings


@runtime_checkable
class ConversationStore(Protocol):
    """Keeps the turns of each conversation; safe to call from several threads."""

    def create(self, conversation_id: str | None = None, user: str | None = None, owner: str | None = None) -> str:
        """Start a conversation (a new random id unless one is given), owned by ``owner``, and return its id."""
        ...

    def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has been started."""
        ...

    def append(self, conversation_id: str, turn: Turn, user: str | None = None, owner: str | None = None) -> None:
        """Add a turn, starting the conversation (for ``user``, owned by ``owner``) if needed; turns beyond the
        limit go. With an ``owner``, a conversation someone else owns raises ``NotFoundError`` and is untouched."""
        ...

    def owner_of(self, conversation_id: str) -> str | None:
        """The key (and bot user) that started the conversation; ``None`` for an unknown or unowned one."""
        ...

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The turns, oldest first (only the last ``limit`` when given); empty for an unknown id."""
        ...

    def list(self, user: str | None = None, limit: int = 50, owner: str | None = None) -> list[ConversationSummary]:
        """Conversations with at least one turn, most recently active first (only ``user``'s and ``owner``'s
        when given)."""
        ...

    def set_feedback(self, conversation_id: str, turn: int, rating: int) -> Turn:
        """Record +1/-1/0 feedback on a turn (0-based, counting the turns kept); raises ``NotFoundError``."""
        ...

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation; false when there was none."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...


CONVERSATION_STORES: Registry[ConversationStore] = Registry(
    "conversation store",
    {
        "sqlite": "assistant.conversations.sqlite:SQLiteConversationStore",
        "memory": "assistant.conversations.memory:MemoryConversationStore",
        "redis": "assistant.conversations.redis:RedisConversationStore",
    },
)


def not_yours(conversation_id: str) -> NotFoundError:
    """The error for a conversation that does not exist or belongs to another key: the two look the same."""
    return NotFoundError(
        f"No conversation with id '{conversation_id}'. Leave conversation_id out to start one, and continue it "
        "with the id the answer returns."
    )


def new_conversation_id() -> str:
    """A fresh, unguessable conversation id."""
    return secrets.token_urlsafe(12)


def create_store(settings: ConversationSettings, redis: RedisSettings | None = None) -> ConversationStore:
    """The store the settings name ('auto': Redis when ``redis.url`` is set, else SQLite). Each backend takes the
    whole ``ConversationSettings``; one whose constructor also takes ``redis`` gets the Redis settings."""
    name = settings.backend
    if name == "auto":
        name = "redis" if redis is not None and redis.url else "sqlite"
    cls = CONVERSATION_STORES.load(name)
    if "redis" in inspect.signature(cls).parameters:
        return cls(settings=settings, redis=redis)  # type: ignore[call-arg]
    return cls(settings=settings)  # type: ignore[call-arg]


def turn_record(turn: Turn) -> dict[str, object]:
    """A turn as JSON-ready data, its citations included (what the stores keep)."""
    return {**turn.to_dict(), "citations": [citation.to_dict() for citation in turn.citations]}


def turn_from_record(data: dict[str, object]) -> Turn:
    """The turn ``turn_record`` made."""
    citations = data.get("citations") or []
    assert isinstance(citations, list)
    return Turn(
        question=str(data["question"]),
        query=str(data.get("query", "")),
        answer=str(data["answer"]),
        citations=tuple(Citation.from_dict(item) for item in citations),
        language=Language(str(data.get("language", Language.OTHER.value))),
        fallback=bool(data.get("fallback", False)),
        created_at=float(data.get("created_at", 0.0)),  # type: ignore[arg-type]
        feedback=int(data.get("feedback", 0)),  # type: ignore[call-overload]
    )
