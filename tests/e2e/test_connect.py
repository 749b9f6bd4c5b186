"""Calendar connect by OAuth, hosted, end to end: the candidate's connect link redirects to the
fake Google or Microsoft consent page, which sends the browser back to the stack's callback;
the stack exchanges the code with its PKCE verifier (the fake token endpoint checks it) and
connects the calendar as ``POST /candidates/{id}/calendars`` does. The state is single-use and
expires; a denied consent or a refused code stores nothing."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e import providers
from tests.e2e.steps import register

NOW = datetime(2035, 3, 5, 9, 0, tzinfo=UTC)  # a Monday

# The stack with fake Google and Graph servers (fixtures shared by the calendar modules).
fakes, stack, google, graph = providers.fakes, providers.stack, providers.google, providers.graph
CLIENTS = providers.CLIENTS


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def get(url: str) -> tuple[int, Any, str]:
    """GET without following redirects, as a test can watch a browser do it step by step."""
    try:
        with _OPENER.open(url, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture(autouse=True)
def fresh_consent_page(google, graph):
    for fake in (google, graph):
        fake.deny_consent = fake.refuse_codes = False
        fake.consenting_account = None


def calendars(client, candidate_id):
    return client.request("GET", f"/candidates/{candidate_id}").body["calendars"]


def consent(client, fake, connect_url):
    """Follow the connect link to the consent page and back; the callback's answer."""
    status, headers, _ = get(connect_url)
    assert status == 302, (status, headers)
    status, headers, body = get(headers["Location"])  # the provider's consent page
    assert status == 302, (status, body)
    return headers["Location"], get(headers["Location"])


def test_google_consent_redirects_with_pkce_and_connects_the_calendar(client, stack, google, unique):
    client.set_clock(NOW)
    account = f"ada-{unique}@gmail.com"
    google.add_account(account)
    google.put_event(
        account,
        {
            "id": f"ev-{unique}",
            "summary": "Interview: Robotics engineer",
            "start": {"dateTime": "2035-03-08T14:00:00Z"},
            "end": {"dateTime": "2035-03-08T15:00:00Z"},
            "organizer": {"email": "jane.doe@acme-robotics.com", "displayName": "Jane Doe"},
            "attendees": [
                {"email": "jane.doe@acme-robotics.com", "displayName": "Jane Doe", "organizer": True},
                {"email": account, "self": True, "responseStatus": "accepted"},
            ],
        },
    )
    registered = register(client, f"ada-{unique}@example.org")
    # The connect link redirects to Google's consent page with everything the flow needs
    status, headers, _ = get(registered["connect_urls"]["google"])
    assert status == 302
    location = urllib.parse.urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == google.auth_url
    params = dict(urllib.parse.parse_qsl(location.query))
    assert params["response_type"] == "code" and params["client_id"] == CLIENTS["google"][0]
    assert params["redirect_uri"] == f"{stack.base_url}/oauth/google/callback"
    assert params["scope"] == "https://www.googleapis.com/auth/calendar.readonly"
    assert params["access_type"] == "offline" and params["prompt"] == "consent"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32
    assert headers.get("Referrer-Policy") == "same-origin"
    # When Ada signs in and allows access
    google.consenting_account = account
    status, headers, _ = get(headers["Location"])
    callback = headers["Location"]
    status, _, page = get(callback)
    # Then the code was exchanged with a verifier that matches the challenge, and she is told
    assert status == 200, page
    assert "Your Google calendar is connected" in page
    assert len(google.pkce_verified) >= 1
    # ...the calendar is watched exactly as the operator's connect does it
    [connected] = calendars(client, registered["candidate_id"])
    assert connected["provider"] == "google" and connected["calendar_id"] == "primary"
    assert connected["watch_expires_at"]
    assert any(c["account"] == account for c in google.channels.values())
    # ...and the first sync finds the interview in it
    client.set_clock(NOW + timedelta(minutes=1))
    [interview] = client.interviews(registered["candidate_id"])
    assert interview["title"] == "Interview: Robotics engineer"
    # When the same callback comes again (a replay, a double click)
    verified = len(google.pkce_verified)
    status, _, page = get(callback)
    # Then it is refused and changes nothing
    assert status == 400 and "already used" in page
    assert len(google.pkce_verified) == verified
    assert len(calendars(client, registered["candidate_id"])) == 1


def test_microsoft_consent_connects_a_subscription(client, graph, unique):
    client.set_clock(NOW)
    account = f"ada-{unique}@outlook.com"
    graph.add_account(account)
    graph.consenting_account = account
    registered = register(client, f"ada-{unique}@example.org")
    status, headers, _ = get(registered["connect_urls"]["microsoft"])
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert params["scope"] == "offline_access Calendars.Read User.Read" and params["code_challenge_method"] == "S256"
    assert "access_type" not in params
    _, (status, _, page) = consent(client, graph, registered["connect_urls"]["microsoft"])
    assert status == 200, page
    [connected] = calendars(client, registered["candidate_id"])
    assert connected["provider"] == "microsoft" and connected["account_email"] == account
    assert graph.subscription_for(account)


def test_a_denied_consent_stores_nothing(client, google, unique):
    client.set_clock(NOW)
    registered = register(client, f"ada-{unique}@example.org")
    google.deny_consent = True
    callback, (status, _, page) = consent(client, google, registered["connect_urls"]["google"])
    assert "error=access_denied" in callback
    assert status == 400 and "access was not allowed" in page
    assert calendars(client, registered["candidate_id"]) == []


def test_a_code_the_provider_refuses_stores_nothing(client, graph, unique):
    client.set_clock(NOW)
    account = f"ada-{unique}@outlook.com"
    graph.add_account(account)
    graph.consenting_account = account
    graph.refuse_codes = True
    registered = register(client, f"ada-{unique}@example.org")
    _, (status, _, page) = consent(client, graph, registered["connect_urls"]["microsoft"])
    assert status == 400 and "refused the sign-in" in page
    assert calendars(client, registered["candidate_id"]) == []


def test_an_expired_or_forged_state_connects_nothing(client, stack, google, unique):
    client.set_clock(NOW)
    account = f"ada-{unique}@gmail.com"
    google.add_account(account)
    google.consenting_account = account
    registered = register(client, f"ada-{unique}@example.org")
    status, headers, _ = get(registered["connect_urls"]["google"])
    status, headers, _ = get(headers["Location"])
    callback = headers["Location"]
    # Eleven minutes on the consent page: the state has expired
    client.set_clock(NOW + timedelta(minutes=11))
    status, _, page = get(callback)
    assert status == 400 and "expired" in page
    # A state the stack never gave out
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["code"]
    status, _, page = get(f"{stack.base_url}/oauth/google/callback?code={code}&state=forged")
    assert status == 400
    assert calendars(client, registered["candidate_id"]) == []
    # A connect link whose signature was altered
    bad = registered["connect_urls"]["google"][:-3] + "AAA"
    status, _, page = get(bad)
    assert status == 404 and "not valid" in page


def _invite(uid: str, start: datetime, *people: str) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0//EN", "METHOD:REQUEST", "BEGIN:VEVENT"]
    lines += [f"UID:{uid}", f"DTSTAMP:{NOW:{stamp}}", f"DTSTART:{start:{stamp}}"]
    lines += [f"DTEND:{start + timedelta(hours=1):{stamp}}", "SUMMARY:Interview: Data Analyst"]
    return "\r\n".join([*lines, *people, "END:VEVENT", "END:VCALENDAR", ""]).encode()


def test_an_invite_naming_the_connected_google_account_never_makes_the_candidate_an_interviewer(client, google, unique):
    from email.message import EmailMessage

    client.set_clock(NOW)
    account = f"ada.work.{unique}@gmail.com"  # her Google account: not the address she registered
    google.add_account(account)
    google.consenting_account = account
    registered = register(client, f"ada-{unique}@example.org")
    _, (status, _, page) = consent(client, google, registered["connect_urls"]["google"])
    assert status == 200, page
    # The connect stored the account's own address (Google: the primary calendar's id)
    [connected] = calendars(client, registered["candidate_id"])
    assert connected["account_email"] == account
    # Ada forwards, from her registered address, an invite sent to her Google address under
    # another spelling of her name (another script): only the address says it is her
    start = NOW + timedelta(days=3, hours=5)  # Thursday 14:00
    invite = _invite(
        f"own-{unique}",
        start,
        "ORGANIZER;CN=Ana Costa:mailto:ana.costa@northwind.com",
        f"ATTENDEE;CN=Лавлейс Ада;ROLE=REQ-PARTICIPANT:mailto:{account}",
        "ATTENDEE;CN=Ben Ode;ROLE=REQ-PARTICIPANT:mailto:ben.ode@northwind.com",
    )
    mail = EmailMessage()
    mail["From"] = f"Ada Lovelace <{registered['email']}>"
    mail["To"] = registered["ics_inbox_email"]
    mail["Subject"] = "Fwd: Invitation: Interview: Data Analyst"
    mail.set_content("Forwarded.")
    mail.add_attachment(invite, maintype="application", subtype="ics", filename="invite.ics")
    assert client.email(bytes(mail)).status == 202
    [interview] = client.interviews(registered["candidate_id"])
    assert [p["email"] for p in interview["interviewers"]] == ["ana.costa@northwind.com", "ben.ode@northwind.com"]
    assert account not in str(interview)

    def sent(kind: str) -> dict:
        [message] = [
            m
            for m in client.outbox()
            if m.get("interview_id") == interview["interview_id"] and m["kind"] == kind and m["channel"] == "email"
        ]
        return message

    # Never researched...
    client.set_clock(start - timedelta(hours=48))
    research = sent("research_prompt")
    assert research["subject"] == "Prepare for your interview with northwind.com: research Ana Costa and Ben Ode"
    assert "Лавлейс" not in research["body"] and account not in research["body"]
    # ...and never thanked
    client.set_clock(start + timedelta(hours=2))
    thank_you = sent("thank_you")["body"]
    assert thank_you.count("To: ") == 2 and f"To: {account}" not in thank_you and "Лавлейс" not in thank_you
