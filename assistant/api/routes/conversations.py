"""``/v1/conversations``: list, read or forget your conversations, and give feedback on an answer.

Each conversation belongs to the key that started it; to every other key it does not exist (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...text.validation import CleanText
from ..schemas import ConversationOut, ConversationsOut, DeletedOut, FeedbackIn, TurnOut, error_responses
from ..service import Services, owner, services

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
ServicesDep = Annotated[Services, Depends(services)]
OwnerDep = Annotated[str | None, Depends(owner)]


@router.get(
    "", response_model=ConversationsOut, responses=error_responses(401, 422, 429),
    summary="Your conversations, most recently active first",
)  # fmt: skip
async def list_conversations(
    service: ServicesDep,
    asker: OwnerDep,
    user: Annotated[CleanText | None, Query(max_length=200, description="Only this user's conversations.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The key's conversations that have at least one turn, with their first question as a title."""
    found = await service.assistant.conversations.summaries(asker, user, limit)
    return {"conversations": [summary.to_dict() for summary in found]}


@router.post(
    "/{conversation_id}/turns/{turn}/feedback", response_model=TurnOut, responses=error_responses(401, 404, 422, 429),
    summary="Thumbs up or down on one answer",
)  # fmt: skip
async def feedback(
    conversation_id: CleanText, turn: int, body: FeedbackIn, service: ServicesDep, asker: OwnerDep
) -> dict[str, Any]:
    """Store the rating with the turn (turns are numbered from 0, oldest first)."""
    updated = await service.assistant.conversations.rate(conversation_id, turn, body.rating, asker)
    return updated.to_dict()


@router.get(
    "/{conversation_id}", response_model=ConversationOut, responses=error_responses(401, 404, 422, 429),
    summary="A conversation's turns with their citations",
)  # fmt: skip
async def get_conversation(conversation_id: CleanText, service: ServicesDep, asker: OwnerDep) -> dict[str, Any]:
    """The turns, oldest first."""
    turns = await service.assistant.conversations.turns(conversation_id, asker)
    return {"id": conversation_id, "turns": [turn.to_dict() for turn in turns]}


@router.delete(
    "/{conversation_id}", response_model=DeletedOut, responses=error_responses(401, 404, 422, 429),
    summary="Forget a conversation",
)  # fmt: skip
async def delete_conversation(conversation_id: CleanText, service: ServicesDep, asker: OwnerDep) -> dict[str, Any]:
    """Delete the conversation and its turns."""
    await service.assistant.conversations.forget(conversation_id, asker)
    return {"id": conversation_id, "deleted": True}
