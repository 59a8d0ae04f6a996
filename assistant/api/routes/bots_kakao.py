"""``POST /v1/bots/kakao``: the assistant as a KakaoTalk chatbot skill (Kakao i Open Builder, skill response 2.0).

Set it up in Open Builder: add a skill with this URL and a header ``X-API-Key: YOUR_KEY`` (the route goes
through the API-key check like every /v1 route), use it in the fallback block, and turn on "callback" for that
block so slow answers can arrive after Kakao's 5-second limit. Each Kakao user has one conversation,
``kakao:{userRequest.user.id}``, so follow-up questions work.

Kakao waits at most 5 s. The answer is awaited for ``api.kakao_deadline`` seconds; when it is later than that
and the request has a ``callbackUrl``, the reply says "wait" (``useCallback``) and the whole answer is posted to
the callback URL when it is ready. Without a callback URL the core is given that deadline, so a slow or hanging
model is cut short and the extractive answer is sent in time; only when even that is late is the user asked to
send the question again: the same question from the same user within a minute shares the first answer. Kakao's
payload has no delivery id to de-duplicate by (its ids name the bot, block and skill), and a pending answer cannot
cross processes, so with several workers that sharing holds within the worker that receives the repeat.

A callback URL is used only when it is https on a host in ``api.kakao_callback_hosts`` (Kakao's own), and the
answer is posted through the outbound guard (``api/outbound.py``: public addresses only, no redirects, short
timeouts); any other callback URL is treated as absent and logged without its one-time path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from ...errors import AssistantError, InvalidQueryError, OutboundError, OutboundRefusedError
from ...records import Answer
from ...retrieval.retriever import MAX_QUERY_CHARS
from ...text.validation import CleanText
from ..bot_replies import RecentRequests, is_web_link, related_title, reply_text
from ..chat_compat import sources_title
from ..outbound import OutboundPolicy, check_url, post_json
from ..schemas import error_responses
from ..service import Services, caller, services

log = logging.getLogger("assistant.api.kakao")

router = APIRouter(prefix="/v1/bots", tags=["bots"])
ServicesDep = Annotated[Services, Depends(services)]

TEXT_LIMIT = 1000  # simpleText.text
CARD_BUTTONS = 3  # buttons per card
LABEL_LIMIT = 14  # button label
CARD_TITLE_LIMIT = 50  # textCard.title
SAME_QUESTION_WINDOW = 60.0  # seconds within which a repeated question shares its first answer
CALLBACK_HOSTS_SETTING = "ASSISTANT_API__KAKAO_CALLBACK_HOSTS"

WAIT_TEXT = "답변을 찾고 있어요. 잠시만 기다려 주세요."
LATE_TEXT = "답변을 준비하는 데 시간이 걸리고 있어요. 잠시 후 같은 질문을 다시 보내 주세요."
FAILED_TEXT = "지금은 답변을 만들지 못했어요. 잠시 후 다시 질문해 주세요."


class KakaoUser(BaseModel):
    """The Kakao user who spoke (``id`` is the bot-scoped user key)."""

    model_config = ConfigDict(extra="allow")

    id: CleanText = Field(min_length=1, max_length=128)


class KakaoUserRequest(BaseModel):
    """What the user said, and where a late answer may be sent."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    utterance: CleanText = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    user: KakaoUser
    callback_url: CleanText | None = Field(None, alias="callbackUrl", max_length=2000)


class KakaoSkillRequest(BaseModel):
    """The skill payload Kakao sends (fields we do not use are accepted and ignored)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "userRequest": {
                        "utterance": "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?",
                        "user": {"id": "abc"},
                    }
                }
            ]
        },
    )

    user_request: KakaoUserRequest = Field(alias="userRequest")


@router.post(
    "/kakao", responses=error_responses(401, 413, 422, 429, 503),
    summary="KakaoTalk chatbot skill (Open Builder skill response 2.0)",
)  # fmt: skip
async def kakao_skill(
    body: KakaoSkillRequest, request: Request, background: BackgroundTasks, service: ServicesDep
) -> dict[str, Any]:
    """A `simpleText` answer (short answer first, numbered sources; or the not-found text and related documents)
    and a card of links, or `useCallback` when it is slow."""
    said = body.user_request
    question = said.utterance.strip()
    if not question:
        raise InvalidQueryError("userRequest.utterance is empty. Send the user's message as the utterance.")
    asker = caller(request)
    # One conversation per Kakao user of this key's bot, owned by the key and the user together.
    conversation = f"kakao:{asker.id}:{said.user.id}" if asker else f"kakao:{said.user.id}"
    owned_by = f"{asker.id if asker else 'open'}/kakao:{said.user.id}"
    # Kakao sends no event id; an X-Request-Id would not do either (proxies mint a new one per request).
    key = f"{conversation}\x00{question}"
    policy = OutboundPolicy.from_settings(service.settings.api, service.settings.api.kakao_callback_hosts,
                                          CALLBACK_HOSTS_SETTING)  # fmt: skip
    callback_url = said.callback_url if said.callback_url and _usable_callback(said.callback_url, policy) else None

    def start() -> asyncio.Future[Answer]:
        deadline = None if callback_url else service.settings.api.kakao_deadline  # no callback: answer in time
        answering = service.assistant.answer(
            question, conversation, user=conversation, owner=owned_by, start=True, deadline=deadline
        )
        task = asyncio.ensure_future(answering)
        task.add_done_callback(lambda done: _finished(done, service))
        return task

    pending, _ = _recent(request).get_or_add(key, start)
    try:
        answer = await asyncio.wait_for(asyncio.shield(pending), service.settings.api.kakao_deadline)
    except TimeoutError:
        if callback_url:
            background.add_task(_deliver, pending, callback_url, policy)
            return {"version": "2.0", "useCallback": True, "data": {"text": WAIT_TEXT}}
        return skill_text(LATE_TEXT)
    return skill_response(answer)


def skill_response(answer: Answer) -> dict[str, Any]:
    """A skill response 2.0: the answer as `simpleText`, and a `textCard` with a link button per web page.

    The buttons open the cited pages (labelled ``[n] title``), or, when the documents do not answer, the related
    documents' pages under "관련 문서" (labelled with the title alone: they are not citations).
    """
    buttons: dict[str, str] = {}  # web address -> label, the first passage of each address
    if answer.abstained:
        title = related_title(answer)
        for hit in answer.related:
            _add_button(buttons, hit.passage.source, hit.passage.title or hit.passage.document_id)
    else:
        title = sources_title(answer.language)
        for citation in answer.citations:
            passage = citation.passage
            _add_button(buttons, passage.source, f"[{citation.n}] {passage.title or passage.document_id}")
    text = reply_text(answer, TEXT_LIMIT, linked=frozenset(buttons))
    outputs: list[dict[str, Any]] = [{"simpleText": {"text": text or FAILED_TEXT}}]
    if buttons:
        card = {"title": title[:CARD_TITLE_LIMIT], "buttons": [_button(label, url) for url, label in buttons.items()]}
        outputs.append({"textCard": card})  # not a basicCard: that needs a thumbnail image, which we lack
    return {"version": "2.0", "template": {"outputs": outputs}}


def skill_text(text: str) -> dict[str, Any]:
    """A skill response holding one short text."""
    return {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": text[:TEXT_LIMIT]}}]}}


def _add_button(buttons: dict[str, str], source: str, label: str) -> None:
    if is_web_link(source) and source not in buttons and len(buttons) < CARD_BUTTONS:
        buttons[source] = label


def _button(label: str, url: str) -> dict[str, str]:
    if len(label) > LABEL_LIMIT:
        label = label[: LABEL_LIMIT - 1].rstrip() + "…"
    return {"action": "webLink", "label": label, "webLinkUrl": url}


def _usable_callback(url: str, policy: OutboundPolicy) -> bool:
    """Whether a callbackUrl passes the outbound guard's static checks (https, an allowed host); logs why not."""
    try:
        check_url(url, policy)
    except OutboundRefusedError as error:  # the message names the host, never the one-time path
        log.warning("Kakao callbackUrl ignored, answering without it: %s", error)
        return False
    return True


async def _deliver(pending: asyncio.Future[Answer], url: str, policy: OutboundPolicy) -> None:
    """Wait for the answer and post it to Kakao's callback URL through the outbound guard."""
    try:
        payload = skill_response(await pending)
    except Exception:  # already logged by _finished; the user still gets a reply
        payload = skill_text(FAILED_TEXT)
    try:
        reply = await post_json(url, payload, policy)
    except OutboundRefusedError as error:  # messages name the host, never the one-time path
        log.warning("Kakao callback refused by the outbound guard: %s", error)
    except OutboundError as error:
        log.warning("Kakao callback failed: %s", error)
    else:
        if reply.status >= 400:
            log.warning("Kakao callback refused the answer: HTTP %d", reply.status)


def _finished(task: asyncio.Future[Answer], service: Services) -> None:
    """Count a composed answer once, however many requests shared it; log a failed one."""
    if task.cancelled():
        return
    error = task.exception()
    if error is None:
        service.metrics.record_answer(task.result())
    elif isinstance(error, AssistantError):
        log.warning("Kakao answer failed: %s: %s", error.code, error)
    else:
        log.error("Kakao answer failed unexpectedly", exc_info=error)


def _recent(request: Request) -> RecentRequests[asyncio.Future[Answer]]:
    """This app's memory of recent Kakao questions (kept on ``app.state``, so each app has its own)."""
    state = request.app.state
    recent: RecentRequests[asyncio.Future[Answer]] | None = getattr(state, "kakao_recent", None)
    if recent is None:
        recent = RecentRequests(SAME_QUESTION_WINDOW)
        state.kakao_recent = recent
    return recent
