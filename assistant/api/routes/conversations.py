"""``/v1/conversations/{id}``: read or forget a conversation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ...errors import NotFoundError
from ..schemas import ConversationOut, DeletedOut, error_responses
from ..service import Services, services

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
ServicesDep = Annotated[Services, Depends(services)]


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
