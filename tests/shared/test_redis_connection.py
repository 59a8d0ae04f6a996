"""Redis settings and clients: URL schemes, passwords kept out of messages, the form `limits` takes, errors."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from assistant.errors import RedisUnavailableError
from assistant.settings import RedisSettings, Settings
from assistant.shared.redis_connection import limits_uri, reachable, redacted, sync_client


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_REDIS__URL", "unix:///run/redis/redis.sock")
    monkeypatch.setenv("ASSISTANT_REDIS__PASSWORD", "s3cret")
    settings = Settings()
    assert settings.redis.url == "unix:///run/redis/redis.sock" and settings.redis.prefix == "assistant:"
    assert settings.redis.password is not None and "s3cret" not in repr(settings.redis)


def test_without_a_url_there_is_no_redis() -> None:
    assert Settings().redis.url == ""
    with pytest.raises(RedisUnavailableError, match="ASSISTANT_REDIS__URL"):
        sync_client(RedisSettings())


def test_a_password_in_the_url_is_never_shown() -> None:
    assert redacted("redis://:hunter2@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redacted("rediss://app:hunter2@cache:6380") == "rediss://app:***@cache:6380"
    assert redacted("unix:///run/redis.sock") == "unix:///run/redis.sock"
    settings = RedisSettings(url="redis://:hunter2@127.0.0.1:1/0")
    with pytest.raises(RedisUnavailableError) as caught, reachable(settings):
        sync_client(settings).ping()
    assert "hunter2" not in str(caught.value) and "127.0.0.1:1" in str(caught.value)


def test_limits_gets_its_own_spelling_of_the_url() -> None:
    assert limits_uri(RedisSettings(url="redis://cache:6379/2")) == "async+redis://cache:6379/2"
    assert limits_uri(RedisSettings(url="rediss://cache:6380")) == "async+rediss://cache:6380"
    assert limits_uri(RedisSettings(url="unix:///run/r.sock")) == "async+redis+unix:///run/r.sock"


def test_the_password_setting_reaches_redis(redis_settings: RedisSettings) -> None:
    client = sync_client(redis_settings)
    client.config_set("requirepass", "pw-for-this-test")
    try:
        with pytest.raises(RedisUnavailableError, match="ASSISTANT_REDIS__PASSWORD"), reachable(redis_settings):
            sync_client(redis_settings).ping()
        with_password = redis_settings.model_copy(update={"password": SecretStr("pw-for-this-test")})
        assert sync_client(with_password).ping()
    finally:
        authed = sync_client(redis_settings.model_copy(update={"password": SecretStr("pw-for-this-test")}))
        authed.config_set("requirepass", "")
        authed.close()
        client.close()
