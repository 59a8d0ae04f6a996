"""Every conversation store behaves the same through the contract (Redis against a real redis-server); SQLite keeps
turns across reopening."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.conversations.base import ConversationStore, create_store
from assistant.errors import ConfigurationError
from assistant.records import Citation, Language, Passage, Turn
from assistant.settings import ConversationSettings

PASSAGE = Passage(
    "ko-doc#2", "ko-doc", "제목", "절", "https://example.org/a", Language.KOREAN, "예산은 1조 원이다.", 40, 51
)


def turn(i: int) -> Turn:
    citation = Citation(1, PASSAGE, 40, 50, 0.8)
    return Turn(f"질문 {i}", f"검색어 {i}", f"답 {i} [1]", (citation,), Language.KOREAN, fallback=i == 2, created_at=i)


@pytest.fixture(params=["sqlite", "memory", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ConversationStore:
    settings = ConversationSettings(backend=request.param, path=tmp_path / "data" / "c.sqlite3", max_turns=3)
    redis = request.getfixturevalue("redis_settings") if request.param == "redis" else None
    store = create_store(settings, redis)
    assert isinstance(store, ConversationStore)
    yield store
    store.close()


def test_turns_round_trip_with_their_citations(store) -> None:
    conversation = store.create(user="kakao:42")
    store.append(conversation, turn(1))
    store.append(conversation, turn(2))
    assert store.turns(conversation) == [turn(1), turn(2)]
    assert store.turns(conversation, limit=1) == [turn(2)]


def test_old_turns_beyond_the_limit_are_dropped(store) -> None:
    conversation = store.create()
    for i in range(5):
        store.append(conversation, turn(i))
    assert [t.question for t in store.turns(conversation)] == ["질문 2", "질문 3", "질문 4"]


def test_ids_are_fresh_unless_given_and_unknown_ids_are_empty(store) -> None:
    assert store.create() != store.create()
    assert store.create("telegram:7") == "telegram:7"
    assert store.exists("telegram:7") and not store.exists("nobody")
    assert store.turns("nobody") == []


def test_delete_forgets_the_conversation(store) -> None:
    conversation = store.create()
    store.append(conversation, turn(1))
    assert store.delete(conversation)
    assert not store.exists(conversation) and store.turns(conversation) == []
    assert conversation not in {s.id for s in store.list()}
    assert not store.delete(conversation)


def test_appends_from_many_threads_are_all_kept(store) -> None:
    conversation = store.create()
    threads = [threading.Thread(target=store.append, args=(conversation, turn(i))) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t.question for t in store.turns(conversation)) == ["질문 0", "질문 1", "질문 2"]


def test_sqlite_keeps_conversations_across_reopening(tmp_path: Path) -> None:
    settings = ConversationSettings(path=tmp_path / "c.sqlite3")
    first = create_store(settings)
    conversation = first.create()
    first.append(conversation, turn(1))
    first.close()
    again = create_store(settings)
    assert again.turns(conversation) == [turn(1)]
    again.close()


def test_an_unwritable_sqlite_path_says_what_to_set(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigurationError, match="ASSISTANT_CONVERSATIONS__PATH"):
        create_store(ConversationSettings(path=blocker / "c.sqlite3"))


def test_listing_shows_each_users_conversations_newest_first(store) -> None:
    mine = store.create(user="web:a")
    store.append(mine, turn(1))
    other = store.create(user="web:b")
    store.append(other, turn(2))
    later = store.create(user="web:a")
    store.append(later, turn(3))
    store.create(user="web:a")  # no turns yet: not listed
    listed = store.list(user="web:a")
    assert [s.id for s in listed] == [later, mine]
    assert listed[1].title == "질문 1" and listed[1].turns == 1
    assert {s.id for s in store.list()} == {mine, other, later}


def test_feedback_is_stored_with_the_turn(store) -> None:
    from assistant.errors import NotFoundError

    conversation = store.create()
    store.append(conversation, turn(1))
    store.append(conversation, turn(2))
    assert store.set_feedback(conversation, 1, -1).feedback == -1
    assert [t.feedback for t in store.turns(conversation)] == [0, -1]
    with pytest.raises(NotFoundError):
        store.set_feedback(conversation, 5, 1)


def test_a_conversation_keeps_its_owner_and_refuses_turns_from_anyone_else(store) -> None:
    from assistant.errors import NotFoundError

    store.append("c-1", turn(1), user="web:a", owner="key:aaa")
    assert store.owner_of("c-1") == "key:aaa" and store.owner_of("unknown") is None
    with pytest.raises(NotFoundError):
        store.append("c-1", turn(2), owner="key:bbb")
    store.append("c-1", turn(2), owner="key:aaa")
    store.append("c-2", turn(3), owner="key:bbb")
    assert [t.question for t in store.turns("c-1")] == ["질문 1", "질문 2"]
    assert [s.id for s in store.list(owner="key:aaa")] == ["c-1"]
    assert {s.id for s in store.list()} == {"c-1", "c-2"}


def test_an_sqlite_file_from_before_owners_is_upgraded_and_its_conversations_stay_unowned(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, user TEXT, created_at REAL NOT NULL);"
            "INSERT INTO conversations VALUES ('old-1', 'web:a', 0);"
        )
    store = create_store(ConversationSettings(backend="sqlite", path=path))
    try:
        assert store.exists("old-1") and store.owner_of("old-1") is None
        store.append("new-1", turn(1), owner="key:aaa")
        assert store.owner_of("new-1") == "key:aaa"
    finally:
        store.close()
