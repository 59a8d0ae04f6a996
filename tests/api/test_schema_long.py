"""The long schemathesis run (``pytest -m slow``; CI skips it): hundreds of generated requests per operation, valid
and invalid, then linked sequences of calls, over real HTTP. No 5xx, and every response within the schema.

The links between operations (an answer's ``conversation_id`` to ``GET /v1/conversations/{id}``, an upload's
document ids to ``DELETE /v1/documents/{id}``, a job to ``GET /v1/documents/jobs/{id}``…) are inferred by
schemathesis from the response schemas and path parameters. The counts go to stdout (``-s`` shows them).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assistant.api.app import create_app
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS

EXAMPLES = 300  # per operation and generation mode
SCENARIOS, STEPS = 300, 8
# Some rules are stricter than a schema can say (the last message must be the user's; an upload must be a supported
# file; text must hold no control characters), so a schema-valid request may rightly get a 4xx.
EXCLUDED = [positive_data_acceptance]
# An invalid request may also be refused for its size (413) before anything reads it.
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422,
                                                                  428, 429]}}}
)  # fmt: skip


def _hypothesis(examples: int, **extra: Any) -> settings:
    return settings(**{
        "max_examples": examples, "deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True,
        "database": None, **extra,
    })  # fmt: skip


class Tally:
    """What the run sent and got back, and the failures found (each reported once)."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}
        self.scenarios = 0
        self.restarts = 0

    def check(self, label: str, case: schemathesis.Case, response: Any) -> None:
        """Count the response and validate it; raises on a failure."""
        self.sent[label] += 1
        self.statuses[response.status_code] += 1
        case.validate_response(response, excluded_checks=EXCLUDED)


def run_operation(operation: Any, mode: GenerationMode, url: str, tally: Tally) -> None:
    """EXAMPLES generated requests to one operation (shrunk to the smallest failing one, if any)."""
    label = f"{operation.label} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @_hypothesis(EXAMPLES)
    def check(case: schemathesis.Case) -> None:
        tally.check(label, case, case.call(base_url=url, timeout=120))

    try:
        check()
    except Unsatisfiable:  # nothing in this operation can be made invalid (no body, any string goes)
        tally.sent[f"{label}: no invalid request possible"] += 0
    except (Exception, BaseExceptionGroup) as error:  # every operation's failure, reported together
        tally.failures[label] = str(error)


def run_linked(schema: Any, url: str, tally: Tally) -> None:
    """SCENARIOS sequences of up to STEPS calls, each using ids from the responses before it."""

    class Linked(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            tally.scenarios += 1

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": url, "timeout": 120}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            # A step depends on what the server answered before, so Hypothesis cannot replay a failing scenario:
            # failures are recorded here, not raised.
            try:
                tally.check(f"linked: {case.operation.label}", case, response)
            except (Exception, BaseExceptionGroup) as error:
                tally.failures.setdefault(f"linked: {case.operation.label} {type(error).__name__}", str(error))

    for _ in range(50):
        if tally.scenarios >= SCENARIOS:
            break
        try:
            Linked.run(settings=_hypothesis(SCENARIOS - tally.scenarios, stateful_step_count=STEPS,
                                            phases=[Phase.generate], derandomize=False))  # fmt: skip
        except Flaky:
            # The server's answers feed the next steps, so two scenarios with the same start can draw differently;
            # Hypothesis calls that flaky and stops. Go on with fresh scenarios, as schemathesis's own runner does.
            tally.restarts += 1


@pytest.mark.slow
def test_hundreds_of_requests_per_operation_and_linked_sequences_stay_within_the_schema(
    demo_index_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(demo_index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    tally = Tally()
    app = create_app(settings_for(tmp_path / "index", tmp_path / "corpus", tmp_path, keys_file=tmp_path / "keys.json"))
    with live_server(app) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=CONFIG)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_operation(operation, mode, url, tally)
        run_linked(schema, url, tally)
    statuses = dict(sorted(tally.statuses.items()))
    print(f"\n{len(operations)} operations, {sum(tally.sent.values())} requests; statuses {statuses}; "
          f"{tally.scenarios} linked scenarios ({tally.restarts} restarts)")  # fmt: skip
    for label, count in sorted(tally.sent.items()):
        print(f"  {count:5d}  {label}")
    assert len(operations) >= 14
    assert not [status for status in statuses if status >= 500], statuses
    assert not tally.failures, "\n\n".join(f"{label}: {text}" for label, text in tally.failures.items())
