"""A conversation store in process memory: for tests and throwaway sessions."""

from __future__ import annotations

import dataclasses
import threading

from ..errors import NotFoundError
from ..records import ConversationSummary, Turn
from ..settings import ConversationSettings
from .base import new_conversation_id, not_yours


class MemoryConversationStore:
    """Conversations in a dict, lost when the process ends."""

    def __init__(self, settings: ConversationSettings | None = None) -> None:
        self.max_turns = (settings or ConversationSettings()).max_turns
        self._turns: dict[str, list[Turn]] = {}
        self._users: dict[str, str | None] = {}
        self._owners: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def create(self, conversation_id: str | None = None, user: str | None = None, owner: str | None = None) -> str:
        """Start a conversation and return its id."""
        conversation_id = conversation_id or new_conversation_id()
        with self._lock:
            if conversation_id not in self._turns:
                self._turns[conversation_id] = []
                self._users[conversation_id] = user
                self._owners[conversation_id] = owner
        return conversation_id

    def owner_of(self, conversation_id: str) -> str | None:
        """Who started the conversation."""
        return self._owners.get(conversation_id)

    def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has been started."""
        return conversation_id in self._turns

    def append(self, conversation_id: str, turn: Turn, user: str | None = None, owner: str | None = None) -> None:
        """Add a turn, keeping at most ``max_turns``."""
        with self._lock:
            if conversation_id not in self._turns:
                self._turns[conversation_id] = []
                self._users[conversation_id] = user
                self._owners[conversation_id] = owner
            elif owner is not None and self._owners.get(conversation_id) != owner:
                raise not_yours(conversation_id)
            turns = self._turns[conversation_id]
            turns.append(turn)
            del turns[: max(0, len(turns) - self.max_turns)]

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The turns, oldest first."""
        turns = list(self._turns.get(conversation_id, []))
        return turns[-limit:] if limit else turns

    def list(self, user: str | None = None, limit: int = 50, owner: str | None = None) -> list[ConversationSummary]:
        """Conversations with turns, most recently active first."""
        with self._lock:
            summaries = [
                ConversationSummary(cid, self._users.get(cid), turns[0].question, len(turns), turns[0].created_at,
                                    turns[-1].created_at)
                for cid, turns in self._turns.items()
                if turns and (user is None or self._users.get(cid) == user)
                and (owner is None or self._owners.get(cid) == owner)
            ]  # fmt: skip
        return sorted(summaries, key=lambda s: s.updated_at, reverse=True)[:limit]

    def set_feedback(self, conversation_id: str, turn: int, rating: int) -> Turn:
        """Record feedback on a turn."""
        with self._lock:
            turns = self._turns.get(conversation_id)
            if not turns or not 0 <= turn < len(turns):
                raise NotFoundError(f"Conversation '{conversation_id}' has no turn {turn}.")
            turns[turn] = dataclasses.replace(turns[turn], feedback=rating)
            return turns[turn]

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation."""
        with self._lock:
            self._users.pop(conversation_id, None)
            self._owners.pop(conversation_id, None)
            return self._turns.pop(conversation_id, None) is not None

    def close(self) -> None:
        """Nothing to release."""
