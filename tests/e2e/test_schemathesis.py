"""Schemathesis against the operator API's OpenAPI document, as the local stack's /docs serves it,
driving the stack over HTTP: no answer is a 5xx, and every answer's status, content type and
body are what the document says.

Each operation is run with generated data (valid and invalid bodies and parameters), once with
generated ids (mostly unknown: the 404 paths) and once with the ids of a real candidate and a
booked interview (the paths that write). Derandomized, so a run is the same every time; a
bounded number of examples per run keeps it well under a minute. Prints its figures
(docs/reliability.md reports them).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from datetime import UTC, datetime, timedelta

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from local_stack.client import calcom_booking

# The Google and Microsoft token endpoints are fakes on loopback, as in test_calendars.
from tests.e2e.test_calendars import fakes, stack  # noqa: F401

# ``make fuzz`` (NUDGES_FUZZ=1): random seeds, and ten times the examples (FUZZ_SCALE overrides).
RANDOM = os.environ.get("NUDGES_FUZZ") == "1"
SCALE = int(os.environ.get("FUZZ_SCALE") or (10 if RANDOM else 1))
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 12 * SCALE, schemathesis.GenerationMode.NEGATIVE: 5 * SCALE}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
# The document says every operation is signed (SigV4); the local stack checks no signature, so
# a header is always sent rather than left for negative cases to drop and expect a refusal.
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=local (the local stack checks no signature)"}
_ids = itertools.count(1)


def _real_ids(client) -> dict[str, str]:
    """A fresh registered candidate with one booked interview: the ids to send."""
    n = next(_ids)
    email = f"fuzz-{n}@example.org"
    reply = client.register(email=email, timezone="Europe/London", channels=["email", "sms"], phone="+447700900123")
    assert reply.status == 201, reply
    start = NOW + timedelta(days=3)
    booked = client.calcom(
        calcom_booking(
            "BOOKING_CREATED",
            uid=f"fuzz-uid-{n}",
            start=start,
            end=start + timedelta(hours=1),
            attendee=("Ada Lovelace", email),
            organizer=("Jane Doe", "jane.doe@acme-robotics.com"),
            created_at=NOW,
        )
    )
    assert booked.status == 200, booked
    return {"candidate_id": reply.body["candidate_id"], "interview_id": booked.body["interview_id"]}


def _documented_body(document: dict, operation: schemathesis.APIOperation) -> dict | None:
    """The first example of the operation's request body, as the document gives it."""
    body = document["paths"][operation.path][operation.method.lower()].get("requestBody")
    if body is None:
        return None
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return document["components"]["schemas"][ref]["examples"][0]


def test_no_5xx_and_every_answer_as_documented(stack, client):  # noqa: F811
    client.set_clock(NOW)
    document = requests.get(f"{stack.base_url}/docs/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    session = requests.Session()
    per_operation: dict[str, Counter[int]] = {}
    nothing_to_negate: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    def run(operation, mode, examples, **fixed) -> None:
        checks = [*CHECKS, negative_data_rejection] if mode is schemathesis.GenerationMode.NEGATIVE else CHECKS
        answers = per_operation.setdefault(operation.label, Counter())

        @settings(
            max_examples=examples,
            derandomize=not RANDOM,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, headers=SIGNED, **fixed))
        def exercise(case: schemathesis.Case) -> None:
            # A generous timeout (Schemathesis' default is 10 s): this checks answers, not speed, and
            # a loaded CI machine may be slow; docs/performance.md measures latency.
            response = case.call_and_validate(base_url=stack.base_url, session=session, checks=checks, timeout=60)
            answers[response.status_code] += 1

        try:
            exercise()
        except Unsatisfiable:
            # Negative cases only: nothing in this request can be made invalid (a plain string
            # path parameter and no body nor query, say).
            assert mode is schemathesis.GenerationMode.NEGATIVE
            nothing_to_negate.append(operation.label)

    for operation in operations:
        # The documented example body (what Swagger UI's "Try it out" starts from), real ids.
        real = _real_ids(client) if len(operation.path_parameters) else {}
        ids = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
        example = _documented_body(document, operation)
        if example is not None and "email" in example:
            # An address of its own: other modules' stacks in this process share moto's state,
            # and one may have registered the example's address with other details (409).
            example = {**example, "email": f"example-{next(_ids)}@example.org"}
        if example is not None:
            run(operation, schemathesis.GenerationMode.POSITIVE, 1, body=example, path_parameters=ids)
        for mode, examples in EXAMPLES.items():
            # Generated ids (mostly unknown ones), then real ids with generated everything else.
            run(operation, mode, examples)
            if ids and (mode is schemathesis.GenerationMode.POSITIVE or len(operation.body) or len(operation.query)):
                run(operation, mode, examples, path_parameters=ids)

    statuses = sum(per_operation.values(), Counter())
    print(
        f"\nschemathesis {schemathesis.__version__}: {len(operations)} operations, {statuses.total()} requests "
        f"({'random seeds' if RANDOM else 'derandomized'}; per operation the documented example, then up to "
        f"{'/'.join(str(n) for n in EXAMPLES.values())} positive/negative generated cases with generated ids "
        "and again with real ones)"
    )
    print("answers by status: " + ", ".join(f"{status} x{n}" for status, n in sorted(statuses.items())))
    for label, answers in per_operation.items():
        print(f"  {label}: " + ", ".join(f"{status} x{n}" for status, n in sorted(answers.items())))
    print("no invalid request possible with: " + "; ".join(nothing_to_negate))
    assert len(operations) == sum(len(methods) for methods in document["paths"].values())  # every one, none skipped
    assert not any(status >= 500 for status in statuses)
    # The run reached the writing paths, not only the refusals.
    assert {200, 201, 202, 204, 400, 404} <= set(statuses)
