"""Conversations as their owners see them: every read, write and deletion checks who is asking.

An owner is the caller's key id (``key:…``), with the bot user appended for KakaoTalk and Telegram
(``key:…/kakao:USER``). ``owner=None`` means the service runs without keys: everything is visible, as
the server said loudly at start. A conversation owned by someone else looks exactly like one that does not
exist (404), so ids cannot be probed. Store calls run in the worker the assistant gives, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from ..records import ConversationSummary, Turn
from .base import ConversationStore, new_conversation_id, not_yours

T = TypeVar("T")
Worker = Callable[..., Awaitable[Any]]


class ConversationAccess:
    """The owner-checked view of a ``ConversationStore`` that the API and CLI use (through the assistant)."""

    def __init__(self, store: ConversationStore, worker: Worker) -> None:
        self.store = store
        self._worker = worker

    def visible(self, conversation_id: str, owner: str | None) -> bool:
        """Whether the conversation exists and the owner may see it (blocking; call it in a worker)."""
        if not self.store.exists(conversation_id):
            return False
        return owner is None or self.store.owner_of(conversation_id) == owner

    def open(
        self, conversation_id: str | None, owner: str | None, history_turns: int, start: bool = False
    ) -> tuple[str, list[Turn]]:
        """The conversation's id and its last turns (blocking). A missing id starts a new conversation; an
        unknown id is refused unless ``start`` (bots name their users' conversations themselves)."""
        if conversation_id is None:
            return new_conversation_id(), []
        if not self.visible(conversation_id, owner):
            if start and not self.store.exists(conversation_id):
                return conversation_id, []
            raise not_yours(conversation_id)
        return conversation_id, (self.store.turns(conversation_id, history_turns) if history_turns else [])

    async def summaries(self, owner: str | None, user: str | None = None, limit: int = 50) -> list[ConversationSummary]:
        """The owner's conversations (only ``user``'s when given), most recently active first."""
        found: list[ConversationSummary] = await self._worker(self.store.list, user, limit, owner)
        return found

    async def turns(self, conversation_id: str, owner: str | None) -> list[Turn]:
        """A conversation's turns, oldest first; ``NotFoundError`` when it is not the owner's."""
        return await self._worker(self._checked, conversation_id, owner, self.store.turns, conversation_id)

    async def rate(self, conversation_id: str, turn: int, rating: int, owner: str | None) -> Turn:
        """Record +1/-1/0 feedback on one of the owner's turns."""
        return await self._worker(
            self._checked, conversation_id, owner, self.store.set_feedback, conversation_id, turn, rating
        )

    async def forget(self, conversation_id: str, owner: str | None) -> None:
        """Delete one of the owner's conversations."""
        await self._worker(self._checked, conversation_id, owner, self.store.delete, conversation_id)

    async def remember(self, conversation_id: str, turns: Sequence[Turn], user: str | None, owner: str | None) -> None:
        """Append turns to a conversation (starting it for the owner when new)."""
        await self._worker(self._append_all, conversation_id, turns, user, owner)

    def _append_all(self, conversation_id: str, turns: Sequence[Turn], user: str | None, owner: str | None) -> None:
        for turn in turns:
            self.store.append(conversation_id, turn, user, owner)

    def _checked(self, conversation_id: str, owner: str | None, action: Callable[..., T], *args: Any) -> T:
        if not self.visible(conversation_id, owner):
            raise not_yours(conversation_id)
        return action(*args)
