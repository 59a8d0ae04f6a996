"""``assistant keys`` as a subprocess: a key is shown once, stored as a digest, listed by id and revoked."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.access_keys import KeyFile, key_digest
from assistant.api.security import KeyChecker
from tests.cli.test_cli import run


def test_keys_are_created_listed_and_revoked(tmp_path: Path) -> None:
    file = tmp_path / "keys.json"
    env = {"ASSISTANT_API__KEYS_FILE": str(file)}
    made = run("keys", "create", "--role", "admin", "--name", "ops", env=env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("ak_") and len(key) > 40 and "cannot be shown again" in made.stderr
    stored = file.read_text()
    assert key not in stored and key_digest(key) in stored
    reader = json.loads(run("keys", "create", "--json", "--file", str(file)).stdout)
    assert reader["role"] == "reader"

    listed = json.loads(run("keys", "list", "--json", env=env).stdout)["keys"]
    assert [(k["name"], k["role"], k["revoked_at"]) for k in listed] == [
        ("ops", "admin", None),
        ("reader", "reader", None),
    ]
    assert key not in run("keys", "list", env=env).stdout
    caller = KeyChecker([], [], KeyFile(file)).identify(f"Bearer {key}", None)
    assert caller is not None and caller.is_admin

    revoked = run("keys", "revoke", listed[0]["id"][:6], env=env)
    assert revoked.returncode == 0 and "revoked admin key 'ops'" in revoked.stdout
    assert json.loads(run("keys", "list", "--json", env=env).stdout)["keys"][0]["revoked_at"]
    missing = run("keys", "revoke", "nobody", env=env)
    assert missing.returncode == 2 and "keys list" in missing.stderr and "Traceback" not in missing.stderr
