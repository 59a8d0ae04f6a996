"""A conversation store in process memory: for tests and throwaway sessions."""

from __future__ import annotations

import threading

from ..records import Turn
from ..settings import ConversationSettings
from .base import new_conversation_id


class MemoryConversationStore:
    """Conversations in a dict, lost when the process ends."""

    def __init__(self, settings: ConversationSettings | None = None) -> None:
        self.max_turns = (settings or ConversationSettings()).max_turns
        self._turns: dict[str, list[Turn]] = {}
        self._lock = threading.Lock()

    def create(self, conversation_id: str | None = None, user: str | None = None) -> str:
        """Start a conversation and return its id."""
        conversation_id = conversation_id or new_conversation_id()
        with self._lock:
            self._turns.setdefault(conversation_id, [])
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has been started."""
        return conversation_id in self._turns

    def append(self, conversation_id: str, turn: Turn) -> None:
        """Add a turn, keeping at most ``max_turns``."""
        with self._lock:
            turns = self._turns.setdefault(conversation_id, [])
            turns.append(turn)
            del turns[: max(0, len(turns) - self.max_turns)]

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The turns, oldest first."""
        turns = list(self._turns.get(conversation_id, []))
        return turns[-limit:] if limit else turns

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation."""
        with self._lock:
            return self._turns.pop(conversation_id, None) is not None

    def close(self) -> None:
        """Nothing to release."""
