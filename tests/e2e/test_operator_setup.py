"""A stack as an operator first deploys it, end to end: branded messages (SenderName,
OperatorName, SupportEmail) and, before the calendar OAuth secret is filled in, a 503 that names
it instead of a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_string, policy

import pytest

from local_stack import LocalStack
from tests.e2e.conftest import ROOT

BRANDING = {"SenderName": "Acme Careers", "OperatorName": "Acme Careers Ltd", "SupportEmail": "help@acme.example"}


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(ROOT, parameter_overrides=BRANDING)
    stack.start()
    yield stack
    stack.stop()


def test_messages_go_out_as_the_operator(stack, client, unique):
    now = datetime(2036, 5, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"brand-{unique}@example.org"
    assert client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada").status == 201
    booked = client.book(email, f"uid-brand-{unique}", datetime(2036, 5, 10, 14, 0, tzinfo=UTC), now, name="Ada")
    assert booked.status == 200
    client.set_clock(datetime(2036, 5, 8, 14, 0, tzinfo=UTC))

    [research] = [m for m in client.outbox() if m["to"] == email and m["kind"] == "research_prompt"]
    assert "You get these nudges from Acme Careers Ltd because you signed up for them." in research["body"]
    assert "Questions? Write to help@acme.example." in research["body"]
    # The From header as SES received it carries the sender's display name.
    sent = [e for e in stack.ses_events.sent() if email in e.to]  # the welcome and the research prompt
    assert len(sent) == 2
    from moto.ses.models import ses_backends

    for each in sent:
        raw = next(m for m in ses_backends[stack.account_id][stack.aws.region].sent_messages if m.id == each.message_id)
        assert message_from_string(raw.raw_data, policy=policy.default)["From"] == "Acme Careers <nudges@example.com>"


def test_the_sms_help_answer_names_the_operator(client):
    number = "+447700900881"
    assert client.request("POST", "/_local/sms", {"from": number, "body": "help"}).status == 202
    [reply] = [m for m in client.outbox() if m["to"] == number]
    assert reply["body"].startswith("Acme Careers Ltd: ")


def test_connecting_a_calendar_before_the_oauth_secret_is_filled_in_answers_503_naming_it(client, unique):
    reply = client.register(email=f"cal-{unique}@example.org", timezone="Europe/London", channels=["email"])
    candidate_id = reply.body["candidate_id"]
    answer = client.request(
        "POST", f"/candidates/{candidate_id}/calendars", {"provider": "google", "refresh_token": "1//token"}
    )
    assert answer.status == 503, answer
    assert "calendar OAuth is not configured for google" in answer.body["message"]
    assert "CalendarOAuthClients" in answer.body["message"]
