"""``/v1/conversations``: list, read or forget conversations, and give feedback on an answer."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...errors import NotFoundError
from ..schemas import ConversationOut, ConversationsOut, DeletedOut, FeedbackIn, TurnOut, error_responses
from ..service import Services, services

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
ServicesDep = Annotated[Services, Depends(services)]


@router.get(
    "", response_model=ConversationsOut, responses=error_responses(401, 422, 429),
    summary="Conversations, most recently active first",
)  # fmt: skip
async def list_conversations(
    service: ServicesDep,
    user: Annotated[str | None, Query(max_length=200, description="Only this user's conversations.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Conversations that have at least one turn, with their first question as a title."""
    found = await asyncio.to_thread(service.assistant.store.list, user, limit)
    return {"conversations": [summary.to_dict() for summary in found]}


@router.post(
    "/{conversation_id}/turns/{turn}/feedback", response_model=TurnOut, responses=error_responses(401, 404, 422, 429),
    summary="Thumbs up or down on one answer",
)  # fmt: skip
async def feedback(conversation_id: str, turn: int, body: FeedbackIn, service: ServicesDep) -> dict[str, Any]:
    """Store the rating with the turn (turns are numbered from 0, oldest first)."""
    updated = await asyncio.to_thread(service.assistant.store.set_feedback, conversation_id, turn, body.rating)
    return updated.to_dict()


@router.get(
    "/{conversation_id}", response_model=ConversationOut, responses=error_responses(401, 404, 429),
    summary="A conversation's turns with their citations",
)  # fmt: skip
async def get_conversation(conversation_id: str, service: ServicesDep) -> dict[str, Any]:
    """The turns, oldest first."""
    store = service.assistant.store
    if not await asyncio.to_thread(store.exists, conversation_id):
        raise NotFoundError(f"No conversation with id '{conversation_id}'. It may have been deleted.")
    turns = await asyncio.to_thread(store.turns, conversation_id)
    return {"id": conversation_id, "turns": [turn.to_dict() for turn in turns]}


@router.delete(
    "/{conversation_id}", response_model=DeletedOut, responses=error_responses(401, 404, 429),
    summary="Forget a conversation",
)  # fmt: skip
async def delete_conversation(conversation_id: str, service: ServicesDep) -> dict[str, Any]:
    """Delete the conversation and its turns."""
    if not await asyncio.to_thread(service.assistant.store.delete, conversation_id):
        raise NotFoundError(f"No conversation with id '{conversation_id}'.")
    return {"id": conversation_id, "deleted": True}
