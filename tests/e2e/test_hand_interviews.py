"""Interviews added by hand, end to end on the local stack: through the API and through the
candidate's own add-an-interview page (plain form posts). Each is booked exactly as a calendar
booking is: its research prompt, thank-you and follow-up come at the right times, an interviewer
known only by name is researched and thanked by name, and editing it moves its nudges,
cancelling it cancels them. A calendar's booking cannot be changed here (409)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

from tests.e2e import forms
from tests.e2e.steps import register

NOW = datetime(2036, 3, 3, 9, 0, tzinfo=UTC)  # Monday 09:00 in London (GMT until the end of March)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str):
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


post_form = forms.post_form


def nudges_of(client, candidate_id: str, interview_id: str) -> dict[str, dict]:
    [interview] = [i for i in client.interviews(candidate_id) if i["interview_id"] == interview_id]
    return {n["kind"]: n for n in interview["nudges"]}


def mails(client, email: str, kind: str) -> list[dict]:
    return [m for m in client.outbox() if m["to"] == email and m["kind"] == kind]


def interview_form(company: str, day: str, at: str, **extra: str) -> list[tuple[str, str]]:
    return [
        ("company", company),
        ("role", extra.get("role", "Data Analyst")),
        ("date", day),
        ("time", at),
        ("duration", extra.get("duration", "60")),
        ("timezone", "Europe/London"),
        ("interviewer_name", "Priya Raman"),
        ("interviewer_email", "priya.raman@acme-robotics.example"),
        ("interviewer_name", "Sam Lee"),
        ("interviewer_email", ""),
        ("location", "https://meet.example/acme"),
    ]


def test_api_added_interview_gets_every_nudge_on_time_and_by_name(client, unique):
    client.set_clock(NOW)
    email = f"hand.{unique}@example.org"
    candidate = register(client, email)
    body = {
        "company": "Acme Robotics",
        "role": "Data Analyst",
        "start": "2036-03-06T14:00:00+00:00",  # Thursday
        "duration_minutes": 45,
        "timezone": "Europe/London",
        "interviewers": [{"name": "Priya Raman", "email": "priya.raman@acme-robotics.example"}, {"name": "Sam Lee"}],
        "location": "https://meet.example/acme",
    }
    reply = client.request("POST", f"/candidates/{candidate['candidate_id']}/interviews", body)
    assert reply.status == 201, reply
    added = reply.body
    assert added["source"] == "hand"
    assert [p["name"] for p in added["interviewers"]] == ["Priya Raman", "Sam Lee"]
    planned = nudges_of(client, candidate["candidate_id"], added["interview_id"])
    assert planned["research_prompt"]["due_at"] == "2036-03-04T14:00:00Z"  # 48 h before
    assert planned["thank_you"]["due_at"] == "2036-03-06T15:45:00Z"  # 1 h after the end
    assert planned["follow_up"]["due_at"] == "2036-03-13T10:00:00Z"  # 7 days after, 10:00 on a weekday

    client.set_clock(datetime(2036, 3, 4, 14, 5, tzinfo=UTC))
    [research] = mails(client, email, "research_prompt")
    assert "Priya Raman" in research["body"] and "Sam Lee" in research["body"]
    client.set_clock(datetime(2036, 3, 6, 16, 0, tzinfo=UTC))
    [thanks] = mails(client, email, "thank_you")
    assert "To: priya.raman@acme-robotics.example" in thanks["body"]
    assert "To: Sam Lee" in thanks["body"]  # no address known: addressed by name
    client.set_clock(datetime(2036, 3, 13, 10, 5, tzinfo=UTC))
    assert mails(client, email, "follow_up")


def test_page_added_interview_moves_when_edited_and_stops_when_cancelled(client, unique):
    client.set_clock(NOW)
    email = f"page.{unique}@example.org"
    candidate = register(client, email)
    add_url = candidate["add_interview_url"]
    status, page = get(add_url + "?subject=Interview%20invitation%3A%20Data%20Analyst")
    assert status == 200
    assert 'value="Interview invitation: Data Analyst"' in page  # prefilled from a forwarded mail's subject
    assert '<option value="Europe/London" selected>' in page  # their own zone preselected

    # A refused form keeps what was typed, with the message beside the field.
    status, _, page = post_form(add_url, interview_form("Acme Robotics", "2036-02-30", "14:00"))
    assert status == 400
    assert 'id="date-error"' in page and 'value="Acme Robotics"' in page and 'value="Sam Lee"' in page
    assert client.interviews(candidate["candidate_id"]) == []

    status, headers, _ = post_form(add_url, interview_form("Acme Robotics", "2036-03-06", "14:00"))
    assert status == 303 and "/preferences/" in {k.lower(): v for k, v in headers.items()}["location"]
    [interview] = client.interviews(candidate["candidate_id"])
    assert interview["start"] == "2036-03-06T14:00:00Z"
    before = {n["kind"]: n["due_at"] for n in interview["nudges"]}
    assert before["research_prompt"] == "2036-03-04T14:00:00Z"

    token = add_url.rsplit("/", 1)[1]
    base = add_url.split("/interviews/new/")[0]
    edit_url = f"{base}/interviews/{interview['interview_id']}/edit/{token}"
    status, page = get(edit_url)
    assert status == 200 and 'value="2036-03-06"' in page and 'value="Sam Lee"' in page
    status, _, _ = post_form(edit_url, interview_form("Acme Robotics", "2036-03-09", "11:30"))  # the next Monday
    assert status == 303
    after = nudges_of(client, candidate["candidate_id"], interview["interview_id"])
    assert after["research_prompt"]["due_at"] == "2036-03-07T11:30:00Z"
    assert after["thank_you"]["due_at"] == "2036-03-09T13:30:00Z"
    client.set_clock(datetime(2036, 3, 6, 16, 0, tzinfo=UTC))  # the old time passes: nothing for it
    assert not mails(client, email, "thank_you")

    status, _, _ = post_form(edit_url, [("cancel", "on")])
    assert status == 303
    cancelled = nudges_of(client, candidate["candidate_id"], interview["interview_id"])
    assert cancelled["thank_you"]["status"] == "cancelled"
    client.set_clock(datetime(2036, 3, 10, 12, 0, tzinfo=UTC))
    assert not mails(client, email, "thank_you") and not mails(client, email, "research_prompt")


def test_a_calendar_booking_is_not_changed_here(client, unique):
    client.set_clock(NOW)
    email = f"cal.{unique}@example.org"
    candidate = register(client, email)
    assert client.book(email, f"uid-{unique}", NOW + timedelta(days=3), NOW).status in (200, 201, 202)
    [booked] = client.interviews(candidate["candidate_id"])
    body = {
        "company": "Acme",
        "start": "2036-03-07T14:00:00+00:00",
        "duration_minutes": 30,
        "interviewers": [{"name": "Priya Raman"}],
    }
    path = f"/candidates/{candidate['candidate_id']}/interviews/{booked['interview_id']}"
    assert client.request("PATCH", path, body).status == 409
    assert client.request("DELETE", path).status == 409
    assert client.interviews(candidate["candidate_id"])[0]["start"] == booked["start"]
    # Read-only on the candidate's page too.
    token = candidate["add_interview_url"].rsplit("/", 1)[1]
    base = candidate["add_interview_url"].split("/interviews/new/")[0]
    status, page = get(f"{base}/interviews/{booked['interview_id']}/edit/{token}")
    assert status == 200 and "change it there" in page and 'id="submit"' not in page
    # Another candidate's link finds nothing.
    other = register(client, f"other.{unique}@example.org")
    other_token = other["add_interview_url"].rsplit("/", 1)[1]
    assert get(f"{base}/interviews/{booked['interview_id']}/edit/{other_token}")[0] == 404


def test_a_forwarded_mail_without_invitation_is_answered_with_the_prefilled_add_link(client, unique):
    from email.message import EmailMessage

    client.set_clock(NOW)
    email = f"fwd.{unique}@example.org"
    candidate = register(client, email)
    message = EmailMessage()
    message["From"] = f"Ada Lovelace <{email}>"
    message["To"] = candidate["ics_inbox_email"]
    message["Subject"] = "Fwd: Phone interview with Globex, Thursday 3pm"
    message.set_content("Hi Ada, Sam from Globex will call you on Thursday at 3pm. Best, Priya")
    assert client.email(bytes(message)).status == 202
    [reply] = [m for m in client.outbox() if m["to"] == email and m.get("subject", "").startswith("We could not")]
    assert "no calendar invitation" in reply["body"]
    assert "You need do nothing more" not in reply["body"]  # no longer both at once
    link = next(w for w in reply["body"].split() if "/interviews/new/" in w)
    assert link.startswith(candidate["add_interview_url"])
    status, page = get(link)
    assert status == 200
    assert 'value="Phone interview with Globex, Thursday 3pm"' in page  # the subject, without "Fwd:"
