"""Conversations in Redis, shared by every worker (and machine) that points at the same Redis.

Keys, under ``redis.prefix``: ``conversation:{id}`` (a hash: created_at, user, owner), ``turns:{id}`` (a list of
JSON turns, trimmed to ``max_turns``), and sorted sets of the conversations with turns, scored by a shared counter so
the most recently active come first: ``active``, ``active:user:{user}`` and ``active:owner:{owner}``. Starting,
appending (owner check included) and deleting each run as one Lua script, so they are atomic across workers;
feedback rewrites one turn in a WATCH/MULTI transaction.

Redis keeps conversations in memory: configure its persistence (RDB or AOF) if they must survive a Redis restart.
A single Redis (or a primary with replicas) is assumed, not Redis Cluster: the scripts touch keys they read.
redis-py's blocking client is used because the store contract is synchronous (it runs in worker threads).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigurationError, NotFoundError
from ..records import ConversationSummary, Turn
from ..settings import ConversationSettings, RedisSettings
from ..shared.redis_connection import reachable, sync_client
from .base import new_conversation_id, not_yours, turn_from_record, turn_record

# Starts the conversation (KEYS[1]) unless it exists. ARGV: created_at, user, has user, owner, has owner.
_START = """
local function start()
    if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
    redis.call('HSET', KEYS[1], 'created_at', ARGV[1])
    if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'user', ARGV[2]) end
    if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'owner', ARGV[4]) end
    return 1
end
"""

_CREATE = _START + "return start()"

# KEYS: conversation, turns, clock, active. ARGV: the five of _START, then the turn's JSON, max turns, prefix, id.
# -1: owned by someone else, nothing written.
_APPEND = (
    _START
    + """
if start() == 0 and ARGV[5] == '1' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[4] then return -1 end
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
local tick = redis.call('INCR', KEYS[3])
local id = ARGV[9]
redis.call('ZADD', KEYS[4], tick, id)
local user = redis.call('HGET', KEYS[1], 'user')
if user then redis.call('ZADD', ARGV[8] .. 'active:user:' .. user, tick, id) end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then redis.call('ZADD', ARGV[8] .. 'active:owner:' .. owner, tick, id) end
return 1
"""
)

# KEYS: conversation, turns, active. ARGV: prefix, id.
_DELETE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local user = redis.call('HGET', KEYS[1], 'user')
if user then redis.call('ZREM', ARGV[1] .. 'active:user:' .. user, ARGV[2]) end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then redis.call('ZREM', ARGV[1] .. 'active:owner:' .. owner, ARGV[2]) end
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2])
return 1
"""

_PAGE = 100  # conversations read per round trip while listing

_Listed = list[tuple[dict[str, Any], ConversationSummary]]


class RedisConversationStore:
    """Conversations in Redis; thread-safe (redis-py draws a connection per command from its pool)."""

    def __init__(self, settings: ConversationSettings | None = None, redis: RedisSettings | None = None) -> None:
        settings = settings or ConversationSettings()
        if redis is None or not redis.url:
            raise ConfigurationError(
                "The 'redis' conversation store needs a Redis: set ASSISTANT_REDIS__URL (redis://host:port/0 or "
                "unix:///path/to/redis.sock), or ASSISTANT_CONVERSATIONS__BACKEND=sqlite."
            )
        self.redis = redis
        self.max_turns = settings.max_turns
        self._prefix = redis.prefix
        self._client: Any = sync_client(redis)  # Any: its types cannot tell that decode_responses gives str
        with reachable(redis):
            self._client.ping()
        self._create = self._client.register_script(_CREATE)
        self._append = self._client.register_script(_APPEND)
        self._delete = self._client.register_script(_DELETE)

    def _key(self, kind: str, conversation_id: str) -> str:
        return f"{self._prefix}{kind}:{conversation_id}"

    def _who(self, user: str | None, owner: str | None) -> list[str]:
        return [str(time.time()), user or "", "1" if user is not None else "0", owner or "",
                "1" if owner is not None else "0"]  # fmt: skip

    def create(self, conversation_id: str | None = None, user: str | None = None, owner: str | None = None) -> str:
        """Start a conversation and return its id."""
        conversation_id = conversation_id or new_conversation_id()
        with reachable(self.redis):
            self._create(keys=[self._key("conversation", conversation_id)], args=self._who(user, owner))
        return conversation_id

    def owner_of(self, conversation_id: str) -> str | None:
        """Who started the conversation."""
        with reachable(self.redis):
            owner: str | None = self._client.hget(self._key("conversation", conversation_id), "owner")
        return owner

    def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has been started."""
        with reachable(self.redis):
            return bool(self._client.exists(self._key("conversation", conversation_id)))

    def append(self, conversation_id: str, turn: Turn, user: str | None = None, owner: str | None = None) -> None:
        """Add a turn, keeping at most ``max_turns``; refused when someone else owns the conversation."""
        keys = [self._key("conversation", conversation_id), self._key("turns", conversation_id),
                self._prefix + "clock", self._prefix + "active"]  # fmt: skip
        data = json.dumps(turn_record(turn), ensure_ascii=False)
        args = [*self._who(user, owner), data, str(self.max_turns), self._prefix, conversation_id]
        with reachable(self.redis):
            done = self._append(keys=keys, args=args)
        if done == -1:
            raise not_yours(conversation_id)

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The turns, oldest first."""
        with reachable(self.redis):
            rows = self._client.lrange(self._key("turns", conversation_id), -limit if limit else 0, -1)
        return [turn_from_record(json.loads(row)) for row in rows]

    def list(self, user: str | None = None, limit: int = 50, owner: str | None = None) -> list[ConversationSummary]:
        """Conversations with turns, most recently active first."""
        if owner is not None:
            index = f"{self._prefix}active:owner:{owner}"
        elif user is not None:
            index = f"{self._prefix}active:user:{user}"
        else:
            index = self._prefix + "active"
        summaries: list[ConversationSummary] = []
        start = 0
        with reachable(self.redis):
            while len(summaries) < limit:
                ids: list[str] = self._client.zrevrange(index, start, start + _PAGE - 1)
                if not ids:
                    break
                start += _PAGE
                for meta, summary in self._summaries(ids):
                    if (user is None or meta.get("user") == user) and (owner is None or meta.get("owner") == owner):
                        summaries.append(summary)
        return summaries[:limit]

    def _summaries(self, ids: Sequence[str]) -> _Listed:
        """Each conversation's metadata and summary, in one round trip (ones deleted meanwhile are left out)."""
        pipe = self._client.pipeline(transaction=False)
        for conversation_id in ids:
            turns = self._key("turns", conversation_id)
            pipe.hgetall(self._key("conversation", conversation_id))
            pipe.llen(turns)
            pipe.lindex(turns, 0)
            pipe.lindex(turns, -1)
        replies = pipe.execute()
        found: _Listed = []
        for i, conversation_id in enumerate(ids):
            meta, count, first, last = replies[4 * i : 4 * i + 4]
            if not meta or not count or first is None or last is None:
                continue
            first_turn = turn_from_record(json.loads(first))
            last_turn = turn_from_record(json.loads(last))
            summary = ConversationSummary(conversation_id, meta.get("user"), first_turn.question, count,
                                          float(meta["created_at"]), last_turn.created_at)  # fmt: skip
            found.append((meta, summary))
        return found

    def set_feedback(self, conversation_id: str, turn: int, rating: int) -> Turn:
        """Record feedback on a turn (rewritten under WATCH, so a concurrent append or trim is never lost)."""
        key = self._key("turns", conversation_id)

        def rewrite(pipe: Any) -> Turn:
            rows = pipe.lrange(key, 0, -1)
            if not 0 <= turn < len(rows):
                raise NotFoundError(f"Conversation '{conversation_id}' has no turn {turn}.")
            record = json.loads(rows[turn])
            record["feedback"] = rating
            pipe.multi()
            pipe.lset(key, turn, json.dumps(record, ensure_ascii=False))
            return turn_from_record(record)

        with reachable(self.redis):
            rated: Turn = self._client.transaction(rewrite, key, value_from_callable=True)
        return rated

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation and its turns."""
        keys = [self._key("conversation", conversation_id), self._key("turns", conversation_id),
                self._prefix + "active"]  # fmt: skip
        with reachable(self.redis):
            return bool(self._delete(keys=keys, args=[self._prefix, conversation_id]))

    def close(self) -> None:
        """Release the connections."""
        self._client.close()
