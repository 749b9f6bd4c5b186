"""The candidate's controls, end to end: channels, STOP/START/HELP, bounces, unsubscribe, preview."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.e2e.steps import book, register

PHONE = "+447700900555"
ADA_WITH_JANE = {"name": "Ada", "organizer": ("Jane Doe", "jane@acme.com")}  # the booking's attendee and organizer


def sent(client, interview_id):
    return [(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] == interview_id]


def story(client, unique, month):
    """A candidate with an interview on the 10th at 14:00 UTC, clock on the 1st."""
    now = datetime(2033, month, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    candidate_id = register(client, email, PHONE)["candidate_id"]
    interview_id = book(
        client, email, f"uid-{unique}", datetime(2033, month, 10, 14, 0, tzinfo=UTC), now, **ADA_WITH_JANE
    )
    return candidate_id, interview_id


def test_stop_ends_sms_while_email_continues_and_start_brings_it_back(client, unique):
    _, interview_id = story(client, unique, 1)
    assert client.request("POST", "/_local/sms", {"from": PHONE, "body": "STOP"}).status == 202
    client.set_clock(datetime(2033, 1, 8, 14, 0, tzinfo=UTC))  # research prompt due
    assert sent(client, interview_id) == [("research_prompt", "email")]
    client.request("POST", "/_local/sms", {"from": PHONE, "body": "start"})
    client.set_clock(datetime(2033, 1, 10, 16, 0, tzinfo=UTC))  # thank-you due
    assert sent(client, interview_id) == [("research_prompt", "email"), ("thank_you", "email"), ("thank_you", "sms")]


def test_help_answers_with_what_the_service_is_and_how_to_stop(client, unique):
    number = "+447700900777"
    client.request("POST", "/_local/sms", {"from": number, "body": "HELP"})
    [reply] = [m for m in client.outbox() if m["to"] == number]
    assert "Interview Nudges" in reply["body"] and "Reply STOP" in reply["body"]


def test_a_bounce_stops_email_for_good(client, unique):
    _, interview_id = story(client, unique, 2)
    email = f"ada-{unique}@example.org"
    assert client.request("POST", "/_local/email-event", {"type": "bounce", "to": email}).status == 202
    client.set_clock(datetime(2033, 2, 8, 14, 0, tzinfo=UTC))
    client.set_clock(datetime(2033, 2, 10, 16, 0, tzinfo=UTC))
    assert sent(client, interview_id) == [("research_prompt", "sms"), ("thank_you", "sms")]


def test_one_click_unsubscribe_twice_is_one_unsubscribe(client, unique):
    _, interview_id = story(client, unique, 3)
    client.set_clock(datetime(2033, 3, 8, 14, 0, tzinfo=UTC))
    [research_email] = [m for m in client.outbox() if m["interview_id"] == interview_id and m["channel"] == "email"]
    link = re.search(r"Stop these emails: (\S+)", research_email["body"]).group(1)
    path = link.removeprefix(client.base_url)
    # Given the link, GET only asks: it changes nothing (mail scanners follow links)
    page = client.request("GET", path)
    assert page.status == 200 and '<form method="post"' in page.body
    # When the mail client POSTs the one-click body, twice
    for _ in range(2):
        reply = client.request(
            "POST",
            path,
            raw=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert reply.status == 200 and "Unsubscribed" in reply.body
    # Then the thank-you goes by SMS only
    client.set_clock(datetime(2033, 3, 10, 16, 0, tzinfo=UTC))
    assert sent(client, interview_id) == [
        ("research_prompt", "email"),
        ("research_prompt", "sms"),
        ("thank_you", "sms"),
    ]
    forged = path.rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAAAA"
    assert client.request("POST", forged).status == 404


def test_get_on_the_unsubscribe_link_changes_nothing(client, unique):
    _, interview_id = story(client, unique, 4)
    client.set_clock(datetime(2033, 4, 8, 14, 0, tzinfo=UTC))
    body = next(m["body"] for m in client.outbox() if m["interview_id"] == interview_id and m["channel"] == "email")
    path = re.search(r"Stop these emails: (\S+)", body).group(1).removeprefix(client.base_url)
    client.request("GET", path)
    client.set_clock(datetime(2033, 4, 10, 16, 0, tzinfo=UTC))
    assert ("thank_you", "email") in sent(client, interview_id)


def test_channels_change_through_the_operator_api(client, unique):
    candidate_id, interview_id = story(client, unique, 5)
    reply = client.request("PATCH", f"/candidates/{candidate_id}", {"channels": ["sms"]})
    assert reply.status == 200 and reply.body["channels"] == ["sms"]
    assert client.request("PATCH", f"/candidates/{candidate_id}", {"timezone": "Moon/Base"}).body["field"] == "timezone"
    # A null is no value for a setting every candidate has (Schemathesis found it answered 500).
    for field in ("channels", "timezone", "locale"):
        refused = client.request("PATCH", f"/candidates/{candidate_id}", {field: None})
        assert (refused.status, refused.body["field"]) == (400, field)
    assert client.request("GET", f"/candidates/{candidate_id}").body["locale"] == "en-GB"
    client.set_clock(datetime(2033, 5, 8, 14, 0, tzinfo=UTC))
    client.set_clock(datetime(2033, 5, 10, 16, 0, tzinfo=UTC))
    assert sent(client, interview_id) == [("research_prompt", "sms"), ("thank_you", "sms")]


def test_preview_renders_exactly_what_is_sent(client, unique):
    _, interview_id = story(client, unique, 6)
    preview = client.request("GET", f"/interviews/{interview_id}/nudges/research_prompt/preview?channel=email").body
    sms = client.request("GET", f"/interviews/{interview_id}/nudges/research_prompt/preview?channel=sms").body
    client.set_clock(datetime(2033, 6, 8, 14, 0, tzinfo=UTC))
    delivered = {m["channel"]: m for m in client.outbox() if m["interview_id"] == interview_id}
    assert (preview["subject"], preview["body"]) == (delivered["email"]["subject"], delivered["email"]["body"])
    assert sms["body"] == delivered["sms"]["body"]
    assert client.request("GET", f"/interviews/{interview_id}/nudges/gossip/preview").status == 400
    assert client.request("GET", f"/interviews/{interview_id}/nudges/thank_you/preview?channel=fax").status == 400


def test_a_script_in_a_name_from_a_webhook_renders_harmlessly(client, unique):
    now = datetime(2033, 7, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    register(client, email, PHONE)
    evil = ('<script>alert("hi")</script> Mallory', "mallory@acme.com")
    interview_id = book(
        client, email, f"uid-{unique}", datetime(2033, 7, 10, 14, 0, tzinfo=UTC), now, name="Ada", organizer=evil
    )
    preview = client.request("GET", f"/interviews/{interview_id}/nudges/research_prompt/preview?channel=email").body
    assert "<script>" not in preview["html"]
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; Mallory" in preview["html"]
