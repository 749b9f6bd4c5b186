"""The committed OpenAPI document is the one the operator API's code generates, and it says
what an operator needs: every route, its body, its answers and the SigV4 security scheme."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import openapi as generator  # noqa: E402

from local_stack.stack import local_parameter_values  # noqa: E402
from local_stack.template import Template, function_specs  # noqa: E402


@pytest.fixture(scope="module")
def generated() -> str:
    return generator.generate()


@pytest.fixture(scope="module")
def document(generated) -> dict:
    return json.loads(generated)


def test_committed_openapi_json_is_what_the_code_generates(generated):
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == generated, "openapi.json is stale: run `make openapi` and commit it"


def test_every_operator_route_in_the_template_is_documented(document):
    # Given the operator API's routes as the template declares them
    template = ROOT / "template.yaml"
    loaded = Template(template, parameter_overrides=local_parameter_values(template, {}))  # SenderEmail: no Default
    spec = next(s for s in function_specs(loaded) if s.logical_id == "OperatorApiFunction")
    routes = {(p["Method"].lower(), p["Path"]) for _, p in spec.events_of_type("HttpApi")}
    # Then the document has exactly those operations
    documented = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert documented == routes


def test_bodies_answers_and_errors_are_described(document):
    create = document["paths"]["/candidates"]["post"]
    assert create["requestBody"]["required"] is True
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewCandidate"
    }
    assert set(create["responses"]) == {"201", "400", "409", "413", "503"}
    # every operation documents the outage answer, the calendar connection the provider's too
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "503" in operation["responses"], (method, path)
    connect = document["paths"]["/candidates/{candidate_id}/calendars"]["post"]["responses"]
    assert {"502", "503"} <= set(connect) and "Retry-After" in connect["502"]["headers"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Candidate"
    }
    error = create["responses"]["400"]["content"]["application/json"]["schema"]
    assert error["required"] == ["message"] and "field" in error["properties"]
    new = document["components"]["schemas"]["NewCandidate"]
    assert new["required"] == ["email", "timezone"] and new["additionalProperties"] is False
    timeline = document["paths"]["/candidates/{candidate_id}/interviews"]["get"]["responses"]["200"]
    assert timeline["content"]["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/Interview"}
    nudge = document["components"]["schemas"]["Nudge"]
    assert nudge["properties"]["status"]["enum"] == ["scheduled", "sent", "cancelled", "skipped"]
    outcome = document["paths"]["/interviews/{interview_id}/outcome"]["post"]
    assert outcome["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OutcomeRecorded"
    }
    # Powertools' validation-error schemas are not there: this API never answers with them.
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_operations_require_sigv4(document):
    scheme = document["components"]["securitySchemes"]["sigv4"]
    assert scheme["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    assert document["security"] == [{"sigv4": []}]


def test_a_cold_start_imports_no_pydantic():
    # The document's models are named in string annotations only: importing the handler as
    # Lambda does must not load pydantic (issue 7's cold-start budget).
    code = (
        "import sys; sys.path[:0] = ['functions/operator_api', 'layers/nudges']; import app; "
        "print(sorted(m for m in ('pydantic', 'nudges.models.views', 'nudges.openapi') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
