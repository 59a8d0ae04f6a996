"""``assistant config`` as a subprocess: what is in force, from .env and the environment, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run


def test_config_shows_env_file_and_environment_values_with_secrets_masked(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "ASSISTANT_RETRIEVAL__TOP_K=9\nASSISTANT_MODEL__API_KEY=sk-secret-from-dotenv\nASSISTANT_API__PORT=8100\n"
    )
    env = {"ASSISTANT_API__PORT": "8200", "ASSISTANT_API__ADMIN_KEYS": '["admin-secret"]'}
    shown = run("config", "--json", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    values = json.loads(shown.stdout)
    assert values["ASSISTANT_RETRIEVAL__TOP_K"] == 9  # from .env
    assert values["ASSISTANT_API__PORT"] == 8200  # the environment wins over .env
    assert values["ASSISTANT_MODEL__API_KEY"] == "********" and values["ASSISTANT_API__ADMIN_KEYS"] == ["********"]
    assert "secret" not in shown.stdout
    table = run("config", cwd=tmp_path, env=env)
    assert table.returncode == 0 and "ASSISTANT_RETRIEVAL__TOP_K" in table.stdout and "secret" not in table.stdout
