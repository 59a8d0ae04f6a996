"""``POST /v1/bots/telegram``: the assistant as a Telegram bot, fed by the Bot API webhook.

Set it up: create a bot with @BotFather, set ``ASSISTANT_API__TELEGRAM_TOKEN`` to its token and
``ASSISTANT_API__TELEGRAM_SECRET`` to a random string (``A-Z a-z 0-9 _ -``, up to 256 characters), then call
``setWebhook`` with ``url=https://YOUR_HOST/v1/bots/telegram`` and ``secret_token=`` that string.

Telegram sends the secret in ``X-Telegram-Bot-Api-Secret-Token``; this route checks it instead of our API
key. Without a configured secret the route refuses every update (404, not enabled): an open webhook would let anyone
spend answers in any chat. Each chat has one conversation, ``telegram:{chat id}``. The update is acknowledged
at once and answered in the background with ``sendMessage`` (long answers in several messages), so Telegram
never times out and redelivers; a redelivered ``update_id`` is ignored (by every worker when Redis is set:
``api/deliveries.py``). Updates without text are ignored.
The bot token is part of the Bot API URL and is never logged.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request
from pydantic import BaseModel, ConfigDict

from ...errors import InvalidQueryError, NotEnabledError, UnauthorizedError
from ...text.validation import CleanText
from ..bot_replies import reply_text, split_text
from ..deliveries import Deliveries, deliveries
from ..schemas import error_responses
from ..service import Services, services

log = logging.getLogger("assistant.api.telegram")

router = APIRouter(prefix="/v1/bots", tags=["bots"])
ServicesDep = Annotated[Services, Depends(services)]

MESSAGE_LIMIT = 4096  # characters per sendMessage text
UPDATE_WINDOW = 3600.0  # seconds an update_id is remembered (Telegram redelivers for a while after failures)
SEND_TIMEOUT = 15.0

HELP_TEXT = (
    "문서에 대해 질문해 주세요. 답변에는 번호가 붙은 출처가 함께 옵니다.\n"
    "请用中文或韩文提问，回答会附上编号的出处。\n"
    "Ask a question about the documents; answers come with numbered sources."
)
FAILED_TEXT = "지금은 답변을 만들지 못했어요. 잠시 후 다시 질문해 주세요. / 暂时无法回答，请稍后再试。"


class TelegramChat(BaseModel):
    """The chat a message belongs to."""

    model_config = ConfigDict(extra="allow")

    id: int


class TelegramMessage(BaseModel):
    """A message; ``text`` is absent for stickers, photos and the like."""

    model_config = ConfigDict(extra="allow")

    message_id: int
    chat: TelegramChat
    text: CleanText | None = None


class TelegramUpdate(BaseModel):
    """A Bot API update; only new messages are answered (edits, joins and others arrive in other fields)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"update_id": 1, "message": {"message_id": 5, "chat": {"id": 42}, "text": "서울시 메타버스 플랫폼은?"}}
            ]
        },
    )

    update_id: int
    message: TelegramMessage | None = None


async def verify_secret(
    service: ServicesDep,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> None:
    """Refuse the call unless Telegram's secret token matches the configured one (a FastAPI dependency)."""
    api = service.settings.api
    if api.telegram_secret is None or not api.telegram_secret.get_secret_value():
        raise NotEnabledError(
            "The Telegram bot is not set up. Set ASSISTANT_API__TELEGRAM_SECRET and pass the same value as "
            "secret_token to setWebhook."
        )
    expected = api.telegram_secret.get_secret_value().encode()
    if not hmac.compare_digest((secret or "").encode(), expected):
        raise UnauthorizedError(
            "The X-Telegram-Bot-Api-Secret-Token header is missing or wrong. Call setWebhook with the secret_token "
            "set in ASSISTANT_API__TELEGRAM_SECRET."
        )
    if api.telegram_token is None or not api.telegram_token.get_secret_value():
        raise NotEnabledError(
            "The Telegram bot token is not set. Set ASSISTANT_API__TELEGRAM_TOKEN to the token from @BotFather."
        )


@router.post(
    "/telegram", dependencies=[Depends(verify_secret)], responses=error_responses(401, 404, 413, 422, 429),
    summary="Telegram Bot API webhook",
)  # fmt: skip
async def telegram_update(
    update: TelegramUpdate, request: Request, background: BackgroundTasks, service: ServicesDep
) -> dict[str, Any]:
    """Acknowledge the update at once; the answer is sent to the chat with `sendMessage`."""
    message = update.message
    if message is None or not (message.text or "").strip():
        return {"ok": True, "ignored": "no text"}
    if not await _deliveries(request, service).first(f"telegram:{update.update_id}"):
        return {"ok": True, "ignored": "duplicate"}
    background.add_task(answer_message, service, message)
    return {"ok": True}


async def answer_message(service: Services, message: TelegramMessage) -> None:
    """Answer a message in its chat (commands such as /start get the help text)."""
    question = (message.text or "").strip()
    conversation = f"telegram:{message.chat.id}"
    if question.startswith("/"):
        text = HELP_TEXT
    else:
        try:
            answer = await service.assistant.answer(
                question, conversation, user=conversation, owner=f"telegram/{message.chat.id}", start=True
            )
            service.metrics.record_answer(answer)
            text = reply_text(answer)
        except InvalidQueryError as error:
            text = str(error)
        except Exception as error:
            log.warning("Telegram answer failed: %s: %s", getattr(error, "code", type(error).__name__), error)
            text = FAILED_TEXT
    await send_messages(service, message.chat.id, split_text(text, MESSAGE_LIMIT), reply_to=message.message_id)


async def send_messages(service: Services, chat_id: int, texts: list[str], reply_to: int | None = None) -> None:
    """Send texts to a chat in order with ``sendMessage``; stops at the first one Telegram refuses."""
    api = service.settings.api
    assert api.telegram_token is not None  # checked by verify_secret
    _hide_tokens_in_http_logs()
    url = f"{api.telegram_api_base.rstrip('/')}/bot{api.telegram_token.get_secret_value()}/sendMessage"
    async with httpx.AsyncClient(timeout=SEND_TIMEOUT) as client:
        for i, text in enumerate(texts):
            payload: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
            if i == 0 and reply_to is not None:
                payload["reply_to_message_id"] = reply_to
            try:
                response = await client.post(url, json=payload)
            except httpx.HTTPError as error:  # its message holds the URL, and so the token: name only the kind
                log.warning("Telegram sendMessage failed: %s", type(error).__name__)
                return
            if response.status_code >= 400:
                log.warning("Telegram refused sendMessage: HTTP %d %s", response.status_code, _description(response))
                return


def _description(response: httpx.Response) -> str:
    try:
        return str(response.json().get("description", ""))[:200]
    except ValueError:
        return ""


_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")


class _RedactBotTokens(logging.Filter):
    """Replaces ``/bot<token>/`` in log lines (httpx logs every request URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot<token>/", message), ()
        return True


def _hide_tokens_in_http_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactBotTokens) for f in logger.filters):
        logger.addFilter(_RedactBotTokens())


def _deliveries(request: Request, service: Services) -> Deliveries:
    """This app's memory of update ids (on ``app.state``, so each app has its own; shared through Redis when set)."""
    state = request.app.state
    seen: Deliveries | None = getattr(state, "telegram_deliveries", None)
    if seen is None:
        seen = deliveries(service.settings.redis, UPDATE_WINDOW)
        state.telegram_deliveries = seen
    return seen
