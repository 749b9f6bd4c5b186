"""Google Calendar and Microsoft 365 calendars, end to end through the local stack, against fake
Google and Graph servers on loopback that the stack reaches through the contract's base-URL
variables. The fakes call the stack back as the real services do (Google's sync message and
push notifications, Graph's validation handshake, change and lifecycle notifications)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tests.e2e import providers
from tests.e2e.steps import register

if TYPE_CHECKING:
    from local_stack.client import LocalClient

# The stack with fake Google and Graph servers (fixtures shared by the calendar modules).
fakes, stack, google, graph = providers.fakes, providers.stack, providers.google, providers.graph


NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
THURSDAY_2PM = datetime(2031, 3, 6, 14, 0, tzinfo=UTC)


def eventually(read, timeout_s: float = 10.0):
    """``read()`` once it is truthy (a provider's message sent on a timer), else its last value."""
    deadline = time.monotonic() + timeout_s
    while not (value := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(client: LocalClient, candidate_id: str, provider: str, refresh_token: str):
    return client.request(
        "POST", f"/candidates/{candidate_id}/calendars", {"provider": provider, "refresh_token": refresh_token}
    )


def timeline(client: LocalClient, candidate_id: str) -> dict[str, tuple]:
    """title -> (status, start, [(kind, due_at, status)])"""
    return {
        i["title"]: (i["status"], i["start"], [(n["kind"], n["due_at"], n["status"]) for n in i["nudges"]])
        for i in client.interviews(candidate_id)
    }


# ---------------------------------------------------------------------- Google


def google_event(event_id: str, summary: str, start: datetime, candidate: str, **extra) -> dict:
    return {
        "id": event_id,
        "summary": summary,
        "description": "Join with Google Meet: https://meet.google.com/abc-defg-hij",
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/London"},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Europe/London"},
        "organizer": {"email": "jane.doe@acme-robotics.com", "displayName": "Jane Doe"},
        "creator": {"email": "jane.doe@acme-robotics.com", "displayName": "Jane Doe"},
        "attendees": [
            {
                "email": "jane.doe@acme-robotics.com",
                "displayName": "Jane Doe",
                "organizer": True,
                "responseStatus": "accepted",
            },
            {"email": "raj.patel@acme-robotics.com", "displayName": "Raj Patel", "responseStatus": "needsAction"},
            {"email": candidate, "self": True, "responseStatus": "accepted"},
            {
                "email": "c_188bq@resource.calendar.google.com",
                "displayName": "Room 4",
                "resource": True,
                "responseStatus": "accepted",
            },
        ],
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        **extra,
    }


def test_google_calendar_connect_move_cancel_duplicates_forgery_and_renewal(client, stack, google):
    client.set_clock(NOW)
    email = "ada.google@example.org"
    candidate_id = register(client, email)["candidate_id"]
    refresh = google.add_account(email)
    # Given an interview, a dentist appointment and an interview the candidate organises herself
    google.put_event(email, google_event("ev1", "Technical Interview: robotics", THURSDAY_2PM, email))
    google.put_event(email, google_event("ev2", "Dentist", THURSDAY_2PM + timedelta(hours=3), email))
    own = google_event("ev3", "Mock interview practice", THURSDAY_2PM, email, organizer={"email": email, "self": True})
    google.put_event(email, own)

    # A refresh token Google refuses is a 400 naming the field; an unknown candidate is a 404.
    refused = connect(client, candidate_id, "google", "1//not-a-token")
    assert (refused.status, refused.body["field"]) == (400, "refresh_token")
    assert connect(client, "c_nobody", "google", refresh).status == 404
    bad = client.request("POST", f"/candidates/{candidate_id}/calendars", {"provider": "yahoo", "refresh_token": "x"})
    assert (bad.status, bad.body["field"]) == (400, "provider")

    # When the operator connects the calendar
    reply = connect(client, candidate_id, "google", refresh)
    assert reply.status == 201, reply
    assert reply.body["notification_url"] == stack.base_url + "/webhooks/google"
    [channel] = google.channels.values()
    assert channel["address"] == stack.base_url + "/webhooks/google" and len(channel["token"]) >= 32
    client.set_clock(NOW)  # the queued first sync runs
    # Then only the interview became one, with its nudges; Google's sync message was accepted
    assert timeline(client, candidate_id) == {
        "Technical Interview: robotics": (
            "scheduled",
            "2031-03-06T14:00:00Z",
            [
                ("research_prompt", "2031-03-04T14:00:00Z", "scheduled"),
                ("thank_you", "2031-03-06T16:00:00Z", "scheduled"),
                ("follow_up", "2031-03-13T10:00:00Z", "scheduled"),
            ],
        )
    }
    [interview] = client.interviews(candidate_id)
    assert interview["company"] == "Acme Robotics"
    assert [p["name"] for p in interview["interviewers"]] == ["Jane Doe", "Raj Patel"]
    assert eventually(lambda: google.sync_message_status) == [200]  # sent after the watch call returned

    # A reschedule moves the interview and its nudges; the duplicate notification changes nothing.
    google.put_event(
        email, google_event("ev1", "Technical Interview: robotics", THURSDAY_2PM + timedelta(days=1), email)
    )
    assert google.notify(email) == [200]
    assert google.notify(email) == [200]
    client.set_clock(NOW, deliver_twice=True)
    moved = timeline(client, candidate_id)["Technical Interview: robotics"]
    assert moved == (
        "scheduled",
        "2031-03-07T14:00:00Z",
        [
            ("research_prompt", "2031-03-05T14:00:00Z", "scheduled"),
            ("thank_you", "2031-03-07T16:00:00Z", "scheduled"),
            ("follow_up", "2031-03-14T10:00:00Z", "scheduled"),
        ],
    )

    # A forged notification (wrong token, or a real token on another resource) is refused, nothing queued.
    google.put_event(
        email, google_event("ev1", "Technical Interview: robotics", THURSDAY_2PM + timedelta(days=2), email)
    )
    forged = dict(channel)
    for change in ({"token": "guessed"}, {"resourceId": "res-other"}, {"id": "no-such-channel"}):
        status = google._push({**forged, **change, "messages": 0}, "exists")
        assert status == 401
    client.set_clock(NOW)
    assert timeline(client, candidate_id)["Technical Interview: robotics"][1] == "2031-03-07T14:00:00Z"

    # Cancel before create: an interview created and cancelled before the notifications arrive
    google.put_event(email, google_event("ev4", "Final interview", THURSDAY_2PM + timedelta(days=3), email))
    google.cancel_event(email, "ev4")
    assert google.notify(email) == [200]  # the cancel's notification first ...
    client.set_clock(NOW)
    assert google.notify(email) == [200]  # ... then the creation's, late
    client.set_clock(NOW)
    assert "Final interview" not in timeline(client, candidate_id)

    # A cancel stops the nudges (the sync token Google expired meanwhile: a full resync finds it gone)
    google.cancel_event(email, "ev1")
    google.invalidate_sync_tokens()
    assert google.notify(email) == [200]
    client.set_clock(NOW)
    status, _, nudges = timeline(client, candidate_id)["Technical Interview: robotics"]
    assert status == "cancelled" and {n[2] for n in nudges} == {"cancelled"}

    # After a 410 the next sync is incremental again: a new interview arrives by notification
    google.put_event(email, google_event("ev5", "Interview with the CTO", THURSDAY_2PM + timedelta(days=7), email))
    google.notify(email)
    client.set_clock(NOW)
    assert timeline(client, candidate_id)["Interview with the CTO"][0] == "scheduled"
    assert [m for m in client.outbox() if m["to"] == email and m["kind"] != "welcome"] == []  # nothing due yet

    # Renewal: six and a half days on, the scheduled function opens a new channel, stops the old
    fired = client.set_clock(NOW + timedelta(days=6, hours=12))["fired"]
    assert "CalendarSyncFunction-RenewWatches" in [f["name"] for f in fired]
    assert google.stopped == [channel["id"]]
    [renewed] = google.channels.values()
    assert renewed["id"] != channel["id"] and renewed["expiration"] > channel["expiration"]
    assert google._push({**channel, "messages": 0}, "exists") == 401  # the old channel is gone
    google.put_event(email, google_event("ev5", "Interview with the CTO", THURSDAY_2PM + timedelta(days=8), email))
    assert google.notify(email) == [200]
    client.set_clock(NOW + timedelta(days=6, hours=12))
    assert timeline(client, candidate_id)["Interview with the CTO"][1] == "2031-03-14T14:00:00Z"

    # Erasing the candidate erases the connection and stops the channel at Google
    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204
    assert google.stopped == [channel["id"], renewed["id"]]
    assert google.notify(email) == []  # Google has no channel left to notify
    assert google._push({**renewed, "messages": 9}, "exists") == 401  # and a late one is refused


# ---------------------------------------------------------------------- Microsoft Graph


def graph_event(event_id: str, subject: str, start: datetime, candidate: str, **extra) -> dict:
    def at(moment: datetime) -> dict:
        return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}

    return {
        "id": event_id,
        "subject": subject,
        "bodyPreview": "Microsoft Teams meeting. Join on your computer or mobile app",
        "body": {"contentType": "html", "content": "<html><body>Microsoft Teams meeting</body></html>"},
        "start": at(start),
        "end": at(start + timedelta(hours=1)),
        "organizer": {"emailAddress": {"name": "Kenji Sato", "address": "kenji.sato@globex.co.uk"}},
        "attendees": [
            {
                "type": "required",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": "Ada Lovelace", "address": candidate},
            },
            {
                "type": "optional",
                "status": {"response": "accepted", "time": "2031-03-01T10:00:00Z"},
                "emailAddress": {"name": "Mia Wong", "address": "mia.wong@globex.co.uk"},
            },
        ],
        **extra,
    }


def test_microsoft_calendar_connect_move_cancel_duplicates_forgery_and_lifecycle(client, stack, graph):
    # Three weeks after the Google story (the stack is shared and its clock only moves on)
    now, thursday = NOW + timedelta(days=21), THURSDAY_2PM + timedelta(days=21)
    client.set_clock(now)
    email = "ada.ms@example.org"
    candidate_id = register(client, email)["candidate_id"]
    refresh = graph.add_account(email)
    graph.put_event(email, graph_event("AAMkAD1", "Interview – Senior Engineer", thursday, email))
    graph.put_event(email, graph_event("AAMkAD2", "Team lunch", thursday, email))

    # When the operator connects it, Graph validates the notification URLs before answering
    reply = connect(client, candidate_id, "microsoft", refresh)
    assert reply.status == 201, reply
    url = stack.base_url + "/webhooks/microsoft"
    assert [(u, s) for u, s, _ in graph.validations] == [(url, 200), (url, 200)]
    assert all(ct.startswith("text/plain") for _, _, ct in graph.validations)
    subscription = graph.subscription_for(email)
    assert subscription["resource"] == "me/events" and subscription["changeType"] == "created,updated,deleted"
    expires = datetime.fromisoformat(subscription["expirationDateTime"].replace("Z", "+00:00"))
    assert now + timedelta(minutes=4000) < expires <= now + timedelta(minutes=4230)
    client.set_clock(now)
    assert timeline(client, candidate_id) == {
        "Interview – Senior Engineer": (
            "scheduled",
            z(thursday),
            [
                ("research_prompt", z(thursday - timedelta(days=2)), "scheduled"),
                ("thank_you", z(thursday + timedelta(hours=2)), "scheduled"),
                ("follow_up", "2031-04-03T09:00:00Z", "scheduled"),  # a week later, 10:00 BST
            ],
        )
    }
    [interview] = client.interviews(candidate_id)
    assert (interview["company"], [p["name"] for p in interview["interviewers"]]) == (
        "globex.co.uk",
        ["Kenji Sato", "Mia Wong"],
    )

    # Created and then moved, each by notification (the move delivered twice)
    _, change = graph.put_event(email, graph_event("AAMkAD3", "Second interview", thursday + timedelta(days=1), email))
    assert graph.notify(email, change, "AAMkAD3") == 202
    client.set_clock(now)
    assert timeline(client, candidate_id)["Second interview"][1] == z(thursday + timedelta(days=1))
    _, change = graph.put_event(email, graph_event("AAMkAD3", "Second interview", thursday + timedelta(days=2), email))
    assert (graph.notify(email, change, "AAMkAD3"), graph.notify(email, change, "AAMkAD3")) == (202, 202)
    client.set_clock(now, deliver_twice=True)
    assert timeline(client, candidate_id)["Second interview"] == (
        "scheduled",
        z(thursday + timedelta(days=2)),
        [
            ("research_prompt", z(thursday), "scheduled"),
            ("thank_you", z(thursday + timedelta(days=2, hours=2)), "scheduled"),
            ("follow_up", "2031-04-07T09:00:00Z", "scheduled"),  # Saturday a week later: Monday, 10:00 BST
        ],
    )

    # A forged clientState is refused and nothing is queued
    graph.put_event(email, graph_event("AAMkAD3", "Second interview", thursday + timedelta(days=5), email))
    assert graph.notify(email, "updated", "AAMkAD3", client_state="guessed") == 401
    client.set_clock(now)
    assert timeline(client, candidate_id)["Second interview"][1] == z(thursday + timedelta(days=2))

    # Cancel before create: deleted and created notifications arrive in the wrong order
    graph.put_event(email, graph_event("AAMkAD4", "Panel interview", thursday + timedelta(days=3), email))
    graph.delete_event(email, "AAMkAD4")
    assert graph.notify(email, "deleted", "AAMkAD4") == 202
    assert graph.notify(email, "created", "AAMkAD4") == 202
    client.set_clock(now)
    assert "Panel interview" not in timeline(client, candidate_id)

    # A cancelled meeting stops its nudges
    graph.put_event(
        email, graph_event("AAMkAD1", "Canceled: Interview – Senior Engineer", thursday, email, isCancelled=True)
    )
    assert graph.notify(email, "updated", "AAMkAD1") == 202
    client.set_clock(now)
    [first] = [i for i in client.interviews(candidate_id) if i["start"] == z(thursday)]
    assert first["status"] == "cancelled" and {n["status"] for n in first["nudges"]} == {"cancelled"}

    # Lifecycle: reauthorizationRequired renews; missed resyncs; subscriptionRemoved recreates and resyncs
    later = now + timedelta(hours=10)
    client.set_clock(later)
    assert graph.lifecycle(email, "reauthorizationRequired") == 202
    client.set_clock(later)
    renewed = datetime.fromisoformat(graph.subscription_for(email)["expirationDateTime"].replace("Z", "+00:00"))
    assert renewed > expires
    graph.put_event(email, graph_event("AAMkAD5", "Interview: culture fit", thursday + timedelta(days=4), email))
    assert graph.lifecycle(email, "missed") == 202
    client.set_clock(later)
    assert timeline(client, candidate_id)["Interview: culture fit"][0] == "scheduled"
    old_id = graph.subscription_for(email)["id"]
    graph.delete_event(email, "AAMkAD5")  # meanwhile, and its notification lost with the subscription
    assert graph.lifecycle(email, "subscriptionRemoved") == 202
    client.set_clock(later)
    assert graph.subscription_for(email)["id"] != old_id
    assert timeline(client, candidate_id)["Interview: culture fit"][0] == "cancelled"

    # Renewal before 4,230 minutes run out, by the scheduled function
    current = dict(graph.subscription_for(email))
    client.set_clock(later + timedelta(days=2, hours=6))
    after = graph.subscription_for(email)
    assert after["id"] == current["id"] and after["expirationDateTime"] > current["expirationDateTime"]


# ---------------------------------------------------------------------- erasure


def test_erasure_stops_google_channels_and_graph_subscriptions_best_effort(client, stack, google, graph, function_logs):
    client.set_clock(NOW + timedelta(days=60))
    email = "ada.both@example.org"
    candidate_id = register(client, email)["candidate_id"]
    assert connect(client, candidate_id, "google", google.add_account(email)).status == 201
    assert connect(client, candidate_id, "microsoft", graph.add_account(email)).status == 201
    [channel] = [c for c in google.channels.values() if c["account"] == email]
    subscription = graph.subscription_for(email)

    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204
    assert channel["id"] in google.stopped and channel["id"] not in google.channels
    assert subscription["id"] not in graph.subscriptions
    assert client.request("GET", f"/candidates/{candidate_id}").status == 404
    assert google._push({**channel, "messages": 5}, "exists") == 401

    # A watch the provider no longer knows, and one it refuses to stop (the grant was revoked):
    # the erasure of our data goes through all the same, and the log says why, without the address.
    gone = "ada.gone@example.org"
    candidate_id = register(client, gone)["candidate_id"]
    assert connect(client, candidate_id, "google", google.add_account(gone)).status == 201
    assert connect(client, candidate_id, "microsoft", graph.add_account(gone)).status == 201
    [lapsed] = [c for c in google.channels.values() if c["account"] == gone]
    del google.channels[lapsed["id"]]  # expired at Google meanwhile: channels.stop answers 404
    stopped_before = list(google.stopped)
    revoked = graph.subscription_for(gone)
    for token in [t for t, account in graph.refresh_tokens.items() if account == gone]:
        del graph.refresh_tokens[token]  # the candidate revoked our access at Microsoft
    function_logs.clear()

    assert client.request("DELETE", f"/candidates/{candidate_id}").status == 204
    assert client.request("GET", f"/candidates/{candidate_id}").status == 404
    assert google.stopped == stopped_before
    assert revoked["id"] in graph.subscriptions  # left to lapse at its expiry
    said = {(r.get("message"), r.get("provider"), r.get("status")) for r in function_logs}
    assert ("calendar watch already gone at the provider", "google", 404) in said
    assert ("calendar watch not stopped at the provider", "microsoft", 400) in said
    assert not any(gone in json.dumps(r) for r in function_logs)
