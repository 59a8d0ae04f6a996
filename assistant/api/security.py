"""API keys with roles, compared in constant time, and the checks on where the service may listen without them."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

from pydantic import SecretStr

from ..access_keys import KeyFile, Role, key_digest, key_id
from ..errors import AssistantError, ConfigurationError
from ..settings import ApiSettings

log = logging.getLogger("assistant.api")


class AuthError(Exception):
    """A /v1 or /api request without an accepted API key."""


@dataclass(frozen=True)
class Caller:
    """Who is asking: the key's short id (``key:…``) and its role."""

    id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        """Whether the key may change documents, read metrics and manage keys."""
        return self.role is Role.ADMIN


class KeyChecker:
    """Accepts ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``; open when no key is configured anywhere.

    Keys come from the settings (readers and admins) and from the key file, which is re-read when it changes
    (checked at most once a second), so ``assistant keys revoke`` takes effect on a running server.
    """

    RELOAD_EVERY = 1.0

    def __init__(
        self,
        readers: list[SecretStr],
        admins: list[SecretStr] | None = None,
        key_file: KeyFile | None = None,
    ) -> None:
        self._fixed = {key_digest(key.get_secret_value()): Role.READER for key in readers}
        self._fixed.update({key_digest(key.get_secret_value()): Role.ADMIN for key in admins or []})
        self._file = key_file
        self._from_file: dict[str, Role] = {}
        self._file_stamp: tuple[float, int] | None = None
        self._checked = -math.inf
        self._lock = threading.Lock()
        self._reload(force=True)

    @property
    def enabled(self) -> bool:
        """Whether keys are required (a key file, even with every key revoked, keeps them required)."""
        return bool(self._fixed) or (self._file is not None and self._file.exists())

    def identify(self, authorization: str | None, api_key: str | None) -> Caller | None:
        """The caller behind the presented key (``None`` when keys are off); raises ``AuthError``."""
        self._reload()
        if not self.enabled:
            return None
        presented = api_key
        if not presented and authorization:
            scheme, _, value = authorization.partition(" ")
            presented = value.strip() if scheme.lower() == "bearer" else None
        if not presented:
            raise AuthError(
                "This API needs a key. Send it as 'Authorization: Bearer YOUR_KEY' or 'X-API-Key: YOUR_KEY'."
            )
        digest = key_digest(presented)
        role = None
        for known, known_role in (*self._fixed.items(), *self._from_file.items()):
            # compare with every key, so timing says nothing about which matched
            if hmac.compare_digest(digest, known):
                role = known_role if role is None else max(role, known_role, key=_rank)
        if role is None:
            raise AuthError("The API key was not accepted. Check it, or ask the operator for a valid one.")
        return Caller("key:" + key_id(digest), role)

    def _reload(self, force: bool = False) -> None:
        """Re-read the key file when it changed; a broken file keeps the last good keys and is logged."""
        if self._file is None:
            return
        now = time.monotonic()
        if not force and now - self._checked < self.RELOAD_EVERY:
            return
        with self._lock:
            self._checked = now
            try:
                stat = self._file.path.stat()
                stamp: tuple[float, int] | None = (stat.st_mtime, stat.st_size)
            except OSError:
                stamp = None
            if stamp == self._file_stamp and not force:
                return
            try:
                records = self._file.records()
            except AssistantError as error:
                log.error("%s", error)
                return
            self._from_file = {r.sha256: r.role for r in records if r.active}
            self._file_stamp = stamp


def _rank(role: Role) -> int:
    return 1 if role is Role.ADMIN else 0


def is_loopback(host: str) -> bool:
    """Whether a listen address only accepts this machine's connections."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def key_checker(api: ApiSettings) -> KeyChecker:
    """The key checker the API settings describe (reader keys, admin keys and the key file)."""
    return KeyChecker(api.api_keys, api.admin_keys, KeyFile(api.keys_file))


def docs_open(api: ApiSettings) -> bool:
    """Whether /docs, /openapi.json and /metrics are open to anyone (else they need an admin key)."""
    return api.docs_access == "open" or (api.docs_access == "auto" and is_loopback(api.host))


def check_exposure(api: ApiSettings, keys: KeyChecker, warn: bool = True) -> None:
    """Refuse to serve beyond this machine with no keys, unless ``api.allow_open`` says it is meant; warn when
    open on loopback."""
    if keys.enabled:
        return
    if not is_loopback(api.host) and not api.allow_open:
        raise ConfigurationError(
            f"Refusing to serve on {api.host} with no API keys: anyone who can reach it could read and change "
            "the documents. Create a key (`assistant keys create --role admin`), set ASSISTANT_API__API_KEYS / "
            "ASSISTANT_API__ADMIN_KEYS, or pass --allow-open (ASSISTANT_API__ALLOW_OPEN=true) if this is meant."
        )
    if warn:
        log.warning(
            "NO API KEYS: the service on %s is open; every caller may ask, read every conversation and change "
            "documents. Fine for local development; create keys with `assistant keys create` before sharing it.",
            api.host,
        )
