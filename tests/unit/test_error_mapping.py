"""Outages answer 502/503 JSON, logged once and counted; a bug still fails as Lambda fails it."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from botocore.exceptions import ClientError, EndpointConnectionError

from nudges import metrics
from nudges.adapters.ats import ProviderUnavailable
from nudges.http import register_error_handlers


def event(path: str) -> dict:
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {},
        "requestContext": {"http": {"method": "GET", "path": path, "sourceIp": "127.0.0.1"}, "stage": "$default"},
        "isBase64Encoded": False,
    }


def throttled() -> ClientError:
    return ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        "PutItem",
    )


def broken_item() -> ClientError:
    return ClientError(
        {"Error": {"Code": "ValidationException"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "PutItem"
    )


FAILURES = {
    "/ats": lambda: ProviderUnavailable("Greenhouse API answered 503 for /applications/1", dependency="greenhouse"),
    "/throttled": throttled,
    "/unreachable": lambda: EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    "/bug": lambda: KeyError("a bug"),
    "/invalid": broken_item,
}


@pytest.fixture
def app() -> APIGatewayHttpResolver:
    resolver = APIGatewayHttpResolver()
    register_error_handlers(resolver)
    for path, failure in FAILURES.items():

        def route(failure=failure):
            raise failure()

        resolver.get(path)(route)
    metrics._local.pending = None  # what other tests in this thread recorded
    return resolver


@pytest.mark.parametrize(
    ("path", "status", "dependency"),
    [("/ats", 502, "greenhouse"), ("/throttled", 503, "aws"), ("/unreachable", 503, "aws")],
)
def test_an_outage_answers_json_with_retry_after_and_is_counted(app, path, status, dependency):
    answer = app.resolve(event(path), None)
    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["message"]
    assert answer["headers"]["Retry-After"] == "30"
    counted = {dict(dims).get("dependency"): values for dims, values in metrics.pending().items()}
    assert counted[dependency] == {metrics.DEPENDENCY_FAILURES: [1]}


@pytest.mark.parametrize("path", ["/bug", "/invalid"])
def test_a_bug_is_not_disguised_as_an_outage(app, path):
    with pytest.raises((KeyError, ClientError)):
        app.resolve(event(path), None)
    assert metrics.pending() == {}
