"""The Dockerfile and compose.yaml (no Docker daemon here: their contents are checked, not built): every
``ASSISTANT_…`` variable they set is a setting the assistant reads, the image runs as a user without root with a
health check on /readyz, dependencies are installed before the code is copied, and compose wires the assistant
to the Milvus and Redis it starts."""

from __future__ import annotations

import re
import tomllib

import yaml

from assistant.settings import Settings
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
NOT_SETTINGS = {"ASSISTANT_WORKERS", "ASSISTANT_API_KEY"}  # read by the image's command / by compose itself


def known(variable: str) -> bool:
    """Whether ``ASSISTANT_A__B`` names a field of the settings (nested sections with ``__``)."""
    model: type = Settings
    for part in variable.removeprefix("ASSISTANT_").lower().split("__"):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        model = fields[part].annotation
    return True


def test_every_assistant_variable_in_the_dockerfile_and_compose_is_a_setting() -> None:
    names = set(re.findall(r"\b(ASSISTANT_[A-Z_]+)=", DOCKERFILE))
    names |= set(COMPOSE["services"]["assistant"]["environment"])
    assert {"ASSISTANT_STORE__BACKEND", "ASSISTANT_REDIS__URL", "ASSISTANT_INDEX_DIR"} <= names
    unknown = sorted(name for name in names - NOT_SETTINGS if not known(name))
    assert not unknown, f"not settings: {unknown}"
    assert not known("ASSISTANT_STORE__NO_SUCH_THING")  # the check itself can fail


def test_the_image_runs_without_root_checks_readyz_and_caches_dependencies() -> None:
    lines = [line.strip() for line in DOCKERFILE.splitlines()]
    assert any(line.startswith("USER ") and line.split()[1] != "root" for line in lines)
    assert "HEALTHCHECK" in DOCKERFILE and "/readyz" in DOCKERFILE
    copy_code = next(i for i, line in enumerate(lines) if line.startswith("COPY assistant"))
    install_deps = next(i for i, line in enumerate(lines) if "pip install" in line and "requirements" in line)
    assert install_deps < copy_code
    assert "download.pytorch.org/whl/cpu" in DOCKERFILE
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for extra in re.findall(r"extra\['(\w+)'\]", DOCKERFILE):
        assert extra in extras, f"the Dockerfile installs the '{extra}' extra, which pyproject.toml lacks"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "index", "data", ".env"} <= set(ignored)


def test_compose_points_the_assistant_at_its_milvus_and_redis_and_waits_for_them() -> None:
    services = COMPOSE["services"]
    assistant = services["assistant"]
    environment = assistant["environment"]
    assert environment["ASSISTANT_STORE__BACKEND"] == "milvus"
    assert environment["ASSISTANT_STORE__URI"].endswith("milvus:19530")
    assert environment["ASSISTANT_REDIS__URL"].startswith("redis://redis:")
    assert int(environment["ASSISTANT_WORKERS"]) >= 2 and "--workers" in DOCKERFILE
    assert {name: dependency["condition"] for name, dependency in assistant["depends_on"].items()} == {
        "milvus": "service_healthy", "redis": "service_healthy",
    }  # fmt: skip
    for name in ("milvus", "redis", "etcd", "minio"):
        assert "healthcheck" in services[name], name
    assert {"/data/index", "/data/corpus", "/data/state"} == {v.split(":")[1] for v in assistant["volumes"]}
