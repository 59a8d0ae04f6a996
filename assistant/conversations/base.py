"""The ``ConversationStore`` contract and its registry."""

from __future__ import annotations

import secrets
from typing import Protocol, runtime_checkable

from ..errors import NotFoundError
from ..records import ConversationSummary, Turn
from ..registry import Registry
from ..settings import ConversationSettings


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


def create_store(settings: ConversationSettings) -> ConversationStore:
    """The store the settings name; each backend takes the whole ``ConversationSettings``."""
    return CONVERSATION_STORES.create(settings.backend, settings=settings)
