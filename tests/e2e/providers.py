"""A local stack wired to fake Google and Microsoft Graph servers (API, token and consent
endpoints, through the contract's base-URL variables), with the operator's OAuth clients in the
CalendarOAuthClients secret. Modules that use it import these fixtures:

    from tests.e2e.providers import fakes, google, graph, stack  # noqa: F401
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from local_stack import LocalStack
from tests.e2e.conftest import ROOT
from tests.fakes.providers import FakeGoogle, FakeGraph

CLIENTS = {
    "google": ("google-client.apps.googleusercontent.com", "g-secret"),
    "microsoft": ("ms-client-id", "ms-secret"),
}


@pytest.fixture(scope="module")
def fakes():
    holder: dict[str, LocalStack] = {}

    def now() -> datetime:
        return holder["stack"].clock.now() if "stack" in holder else datetime.now(UTC)

    google, graph = FakeGoogle(now).start(), FakeGraph(now).start()
    for fake, (client_id, secret) in zip((google, graph), CLIENTS.values(), strict=True):
        fake.clients[client_id] = secret
    yield holder, google, graph
    google.stop()
    graph.stop()


@pytest.fixture(scope="module")
def stack(fakes):
    holder, google, graph = fakes
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GOOGLE_API_BASE_URL", google.url)
        env.setenv("GOOGLE_TOKEN_URL", google.token_url)
        env.setenv("GOOGLE_AUTH_URL", google.auth_url)
        env.setenv("GRAPH_API_BASE_URL", graph.api_url)
        env.setenv("MS_TOKEN_URL", graph.token_url)
        env.setenv("MS_AUTH_URL", graph.auth_url)
        with LocalStack(ROOT) as stack:
            holder["stack"] = stack
            # What the operator does after deploying: put the OAuth clients into the secret.
            secret = {p: {"client_id": c, "client_secret": s} for p, (c, s) in CLIENTS.items()}
            stack.aws.client("secretsmanager").put_secret_value(
                SecretId=stack.template.ref("CalendarOAuthClients"), SecretString=json.dumps(secret)
            )
            yield stack


@pytest.fixture(scope="module")
def google(fakes):
    return fakes[1]


@pytest.fixture(scope="module")
def graph(fakes):
    return fakes[2]
