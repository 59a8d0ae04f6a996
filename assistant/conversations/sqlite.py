"""The default conversation store: one SQLite file, turns stored as JSON with their citations.

The file may be shared by several processes (``serve --workers N``): it is in WAL mode (readers never wait for
the writer), a write that finds the file locked waits up to ``BUSY_SECONDS`` for its turn, and a turn is added
in one ``BEGIN IMMEDIATE`` transaction, so turns from two processes never overwrite each other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

from ..errors import ConfigurationError, NotFoundError
from ..records import ConversationSummary, Turn
from ..settings import ConversationSettings
from .base import new_conversation_id, not_yours, turn_from_record, turn_record

BUSY_SECONDS = 30.0  # how long a write waits for another process's write to finish

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    user TEXT,
    created_at REAL NOT NULL,
    owner TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
"""


class SQLiteConversationStore:
    """Conversations in a SQLite file (WAL mode), shared safely by the threads of one process and by processes."""

    def __init__(self, settings: ConversationSettings | None = None) -> None:
        settings = settings or ConversationSettings()
        self.path = settings.path
        self.max_turns = settings.max_turns
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS)
            self._db.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(conversations)")}
            if "owner" not in columns:  # a file from before owners: its conversations stay unowned
                self._db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT")
        except (OSError, sqlite3.Error) as error:
            raise ConfigurationError(
                f"Cannot open the conversation store {self.path}: {error}. "
                "Set ASSISTANT_CONVERSATIONS__PATH to a writable file, or ASSISTANT_CONVERSATIONS__BACKEND=memory."
            ) from error
        self._lock = threading.Lock()

    def create(self, conversation_id: str | None = None, user: str | None = None, owner: str | None = None) -> str:
        """Start a conversation and return its id."""
        conversation_id = conversation_id or new_conversation_id()
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO conversations (id, user, created_at, owner) VALUES (?, ?, ?, ?)",
                (conversation_id, user, time.time(), owner),
            )
        return conversation_id

    def owner_of(self, conversation_id: str) -> str | None:
        """Who started the conversation."""
        with self._lock:
            row = self._db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row[0] if row else None

    def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has been started."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row is not None

    def append(self, conversation_id: str, turn: Turn, user: str | None = None, owner: str | None = None) -> None:
        """Add a turn, keeping at most ``max_turns``."""
        data = json.dumps(turn_record(turn), ensure_ascii=False)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR IGNORE INTO conversations (id, user, created_at, owner) VALUES (?, ?, ?, ?)",
                    (conversation_id, user, time.time(), owner),
                )
                if owner is not None:
                    (stored,) = self._db.execute(
                        "SELECT owner FROM conversations WHERE id = ?", (conversation_id,)
                    ).fetchone()
                    if stored != owner:
                        raise not_yours(conversation_id)
                (last,) = self._db.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM turns WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()
                self._db.execute("INSERT INTO turns VALUES (?, ?, ?)", (conversation_id, last + 1, data))
                self._db.execute(
                    "DELETE FROM turns WHERE conversation_id = ? AND seq <= ?",
                    (conversation_id, last + 1 - self.max_turns),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The turns, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM turns WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?",
                (conversation_id, limit or -1),
            ).fetchall()
        return [turn_from_record(json.loads(data)) for (data,) in reversed(rows)]

    def list(self, user: str | None = None, limit: int = 50, owner: str | None = None) -> list[ConversationSummary]:
        """Conversations with turns, most recently active first."""
        query = """
            SELECT c.id, c.user, c.created_at, COUNT(t.seq), MIN(t.seq), MAX(t.seq)
            FROM conversations c JOIN turns t ON t.conversation_id = c.id
            WHERE (? IS NULL OR c.user = ?) AND (? IS NULL OR c.owner = ?)
            GROUP BY c.id ORDER BY MAX(t.rowid) DESC LIMIT ?
        """
        with self._lock:
            rows = self._db.execute(query, (user, user, owner, owner, limit)).fetchall()
            summaries = []
            for cid, owner, created, count, first, last in rows:
                first_turn = self._turn_at(cid, first)
                last_turn = self._turn_at(cid, last)
                summaries.append(
                    ConversationSummary(cid, owner, first_turn.question, count, created, last_turn.created_at)
                )
        return summaries

    def _turn_at(self, conversation_id: str, seq: int) -> Turn:
        (data,) = self._db.execute(
            "SELECT data FROM turns WHERE conversation_id = ? AND seq = ?", (conversation_id, seq)
        ).fetchone()
        return turn_from_record(json.loads(data))

    def set_feedback(self, conversation_id: str, turn: int, rating: int) -> Turn:
        """Record feedback on a turn."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, data FROM turns WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
            ).fetchall()
            if not 0 <= turn < len(rows):
                raise NotFoundError(f"Conversation '{conversation_id}' has no turn {turn}.")
            seq, data = rows[turn]
            record = json.loads(data)
            record["feedback"] = rating
            self._db.execute(
                "UPDATE turns SET data = ? WHERE conversation_id = ? AND seq = ?",
                (json.dumps(record, ensure_ascii=False), conversation_id, seq),
            )
        return turn_from_record(record)

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation and its turns."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        return cursor.rowcount > 0

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
