"""API keys with roles: ``reader`` (ask, search, own conversations) and ``admin`` (documents, keys, metrics).

Keys come from two places: the settings (``ASSISTANT_API__API_KEYS`` readers, ``ASSISTANT_API__ADMIN_KEYS``
admins) and a key file managed with ``assistant keys`` (``api.keys_file``). The file keeps only a SHA-256
digest of each key (keys are 256-bit random strings, so a plain digest cannot be guessed back); a key is shown
once, when it is created. Every key is known by a short, non-secret id: the first 12 hex digits of its digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from .errors import ConfigurationError, NotFoundError

KEY_PREFIX = "ak_"


class Role(StrEnum):
    """What a key may do."""

    READER = "reader"
    ADMIN = "admin"


@dataclass(frozen=True)
class KeyRecord:
    """One key as the key file keeps it: never the key itself."""

    id: str
    name: str
    role: Role
    sha256: str
    created_at: float
    revoked_at: float | None = None

    @property
    def active(self) -> bool:
        """Whether the key is still accepted."""
        return self.revoked_at is None


def key_digest(key: str) -> str:
    """The hex SHA-256 digest a key is stored and compared as."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_id(digest: str) -> str:
    """The short, non-secret name of a key (what logs, owners and ``keys list`` show)."""
    return digest[:12]


class KeyFile:
    """The key file: create, list and revoke keys; writes are atomic (temp file + rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def exists(self) -> bool:
        """Whether a key file has been written (even with every key revoked, keys stay required)."""
        return self.path.is_file()

    def records(self) -> list[KeyRecord]:
        """Every key ever created here, revoked ones included, oldest first."""
        if not self.path.is_file():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [
                KeyRecord(**{**item, "role": Role(item["role"])}) for item in data.get("keys", [])
            ]  # fmt: skip
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            raise ConfigurationError(
                f"The key file {self.path} cannot be read ({error}). Fix or remove it, or point "
                "ASSISTANT_API__KEYS_FILE elsewhere."
            ) from error

    def create(self, role: Role, name: str = "") -> tuple[str, KeyRecord]:
        """A new random key (returned once, never stored) and its record."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        digest = key_digest(key)
        record = KeyRecord(key_id(digest), name.strip() or role.value, role, digest, time.time())
        with self._lock:
            self._write([*self.records(), record])
        return key, record

    def revoke(self, wanted: str) -> KeyRecord:
        """Revoke the key whose id (or a unique prefix of it, at least 4 characters) or name is given."""
        with self._lock:
            records = self.records()
            matches = [
                r for r in records if r.active and (r.name == wanted or (len(wanted) >= 4 and r.id.startswith(wanted)))
            ]
            if len(matches) != 1:
                problem = "No active key matches" if not matches else "More than one active key matches"
                raise NotFoundError(f"{problem} '{wanted}'. `assistant keys list` shows the ids.")
            revoked = KeyRecord(**{**asdict(matches[0]), "revoked_at": time.time()})
            self._write([revoked if r.id == revoked.id and r.active else r for r in records])
        return revoked

    def _write(self, records: list[KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"keys": [{**asdict(r), "role": r.role.value} for r in records]}
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
