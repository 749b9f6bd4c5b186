"""Consent that arrives and never nags, and the preferences page's new parts, end to end on the
local stack by plain form posts: a phone added later gets one "reply YES" text (kind
``consent_request``, SMS only), a second change of channels gets none, a new number is asked
again, the candidate may ask once more from their page; a refused change shows the form again
with the message beside the field and the input kept, and nothing changes; the page lists the
upcoming interviews with their nudges, the add-an-interview link and each application's outcome
link."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

from tests.e2e import forms

NOW = datetime(2036, 4, 7, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in London (BST)


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def post_form(url: str, fields: list[tuple[str, str]]):
    status, _headers, page = forms.post_form(url, fields)
    return status, page


def settings(channels: list[str], phone: str = "", **extra: str) -> list[tuple[str, str]]:
    rest = {"country": "GB", "timezone": "Europe/London", "locale": "en-GB", **extra}
    return [*(("channels", c) for c in channels), ("phone", phone), *rest.items()]


def asked(client, number: str) -> list[dict]:
    return [m for m in client.outbox() if m["to"] == number and m["kind"] == "consent_request"]


def test_a_phone_added_later_gets_one_yes_request_and_a_second_change_gets_none(client, unique):
    client.set_clock(NOW)
    number = f"+4477009{int(unique[1:]) % 100000:05d}"
    reply = client.register(
        email=f"later.{unique}@example.org", timezone="Europe/London", channels=["email"], name="Ada"
    )
    assert reply.status == 201, reply
    candidate = reply.body
    url = candidate["preferences_url"]

    # Ada adds her phone and texts on her page, typing the number as she says it
    national = "0" + number[3:6] + " " + number[6:]
    status, _ = post_form(url, settings(["email", "sms"], national))
    assert status == 303
    shown = client.request("GET", f"/candidates/{candidate['candidate_id']}").body
    assert shown["phone"] == number and shown["unreachable_reasons"]["sms"] == "awaiting_sms_consent"
    [request] = asked(client, number)
    assert request["channel"] == "sms" and "reply YES" in request["body"]

    # A second change of channels (texts off, then on again): no second request
    post_form(url, settings(["email"], number))
    post_form(url, settings(["email", "sms"], number))
    assert len(asked(client, number)) == 1
    # Nor through the operator's API
    client.request("PATCH", f"/candidates/{candidate['candidate_id']}", {"channels": ["email"]})
    client.request("PATCH", f"/candidates/{candidate['candidate_id']}", {"channels": ["email", "sms"]})
    assert len(asked(client, number)) == 1
    assert not [m for m in client.outbox() if m["to"] == number and m["channel"] == "whatsapp"]

    # She asks for it again on her page: one more
    status, _ = post_form(url, [("ask_consent", "on")])
    assert status == 303
    assert len(asked(client, number)) == 2

    # A new number is asked once
    other = number[:-1] + ("1" if number[-1] != "1" else "2")
    post_form(url, settings(["email", "sms"], other))
    assert len(asked(client, other)) == 1

    # After YES, nothing more is asked, whatever changes
    assert client.request("POST", "/_local/sms", {"from": other, "body": "YES"}).status in (200, 202, 204)
    post_form(url, settings(["email"], other))
    post_form(url, settings(["email", "sms"], other))
    assert len(asked(client, other)) == 1


def test_refused_changes_keep_the_form_and_change_nothing(client, unique):
    client.set_clock(NOW)
    reply = client.register(
        email=f"keep.{unique}@example.org", timezone="Europe/London", channels=["email"], name="Ada"
    )
    candidate = reply.body
    url = candidate["preferences_url"]
    before = client.request("GET", f"/candidates/{candidate['candidate_id']}").body

    status, page = post_form(url, settings([], "", timezone="Asia/Tokyo"))  # no channel ticked
    assert status == 400
    assert 'id="channels-error"' in page and "at least one way to reach you" in page
    assert 'id="save"' in page  # the form itself, not a bare error page
    assert '<option value="Asia/Tokyo" selected>' in page  # what she chose is kept
    status, page = post_form(url, settings(["email", "sms"], "12 34"))
    assert status == 400
    assert 'id="phone-error"' in page and 'value="12 34"' in page
    status, page = post_form(url, settings(["email"], "", timezone="London"))
    assert status == 400 and 'id="timezone-error"' in page
    assert client.request("GET", f"/candidates/{candidate['candidate_id']}").body == before


def test_the_page_lists_upcoming_interviews_with_nudges_and_links(client, unique):
    client.set_clock(NOW)
    reply = client.register(
        email=f"list.{unique}@example.org", timezone="Europe/London", channels=["email"], name="Ada"
    )
    candidate = reply.body
    body = {
        "company": "Initech",
        "role": "Analyst",
        "start": "2036-04-10T14:00:00+01:00",
        "duration_minutes": 30,
        "interviewers": [{"name": "Bill Lumbergh"}],
    }
    added = client.request("POST", f"/candidates/{candidate['candidate_id']}/interviews", body).body
    status, page = get(candidate["preferences_url"])
    assert status == 200
    assert f'data-interview="{added["interview_id"]}"' in page
    assert "Research prompt: planned for Tue, 8 Apr 2036, 14:00" in page
    assert "Change or cancel" in page and f"/interviews/{added['interview_id']}/edit/" in page
    assert "/outcome/" in page and "Tell us how it went" in page
    assert candidate["add_interview_url"] in page
