"""Schemathesis against the served OpenAPI schema, over real HTTP: no 5xx and no response that breaks the schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assistant.api.app import create_app
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS


def test_every_operation_answers_within_its_schema(demo_index_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    failures: list[str] = []
    with live_server(create_app(settings_for(tmp_path / "index", tmp_path / "corpus", tmp_path))) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 12
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                      database=None)  # fmt: skip
            def check(case: schemathesis.Case) -> None:
                # Some rules are stricter than a schema can say (the last message must be the user's; an upload
                # must be a supported file), so a schema-valid request may rightly get a 4xx: that check is off.
                case.call_and_validate(base_url=url, excluded_checks=[positive_data_acceptance])

            try:
                check()
            except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, report them all
                failures.append(f"{operation.label}: {error}")
    if failures:
        pytest.fail("\n\n".join(failures))
