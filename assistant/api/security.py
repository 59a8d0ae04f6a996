"""API keys (compared in constant time) and a token-bucket rate limit per key or client address."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import SecretStr


class AuthError(Exception):
    """A /v1 request without an accepted API key."""


class RateLimited(Exception):
    """A client over its request rate; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class KeyChecker:
    """Accepts ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; open when no key is configured."""

    def __init__(self, keys: list[SecretStr]) -> None:
        self._digests = [hashlib.sha256(key.get_secret_value().encode()).digest() for key in keys]

    @property
    def enabled(self) -> bool:
        """Whether keys are required."""
        return bool(self._digests)

    def identify(self, authorization: str | None, api_key: str | None) -> str | None:
        """A short, non-secret name for the caller's key (``None`` when keys are off); raises ``AuthError``."""
        if not self._digests:
            return None
        presented = api_key
        if not presented and authorization:
            scheme, _, value = authorization.partition(" ")
            presented = value.strip() if scheme.lower() == "bearer" else None
        if not presented:
            raise AuthError(
                "This API needs a key. Send it as 'Authorization: Bearer YOUR_KEY' or 'X-API-Key: YOUR_KEY'."
            )
        digest = hashlib.sha256(presented.encode()).digest()
        matched = False
        for known in self._digests:  # compare with every key, so timing says nothing about which matched
            matched |= hmac.compare_digest(digest, known)
        if not matched:
            raise AuthError("The API key was not accepted. Check it, or ask the operator for a valid one.")
        return "key:" + digest.hex()[:12]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: ``burst`` at once, refilled at ``per_minute`` / 60 per second."""

    def __init__(self, per_minute: int, burst: int, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether a limit applies."""
        return self.rate > 0

    def check(self, client: str) -> None:
        """Take one token for the client, or raise ``RateLimited`` with the seconds until one is free."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.pop(client, None) or _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self._buckets[client] = bucket
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            if bucket.tokens < 1:
                raise RateLimited(max(1, math.ceil((1 - bucket.tokens) / self.rate)))
            bucket.tokens -= 1
