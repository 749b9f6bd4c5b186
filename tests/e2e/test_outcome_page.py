"""The candidate says how it went, end to end on the local stack: the outcome page from the
thank-you's link (plain form posts): an offer brings the connect nudge naming everyone met in
the application; not this time brings the rejection reply; I withdrew ends the nudges; still
waiting changes nothing; the same answer twice changes nothing; an operator's (or an ATS's)
outcome stands over the candidate's; a forged or altered link changes nothing."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

from tests.e2e import forms

NOW = datetime(2036, 3, 2, 9, 0, tzinfo=UTC)  # Monday
OUTCOME_LINK = re.compile(r"https?://\S+/outcome/[\w.\-]+")


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def post_form(url: str, fields: list[tuple[str, str]]):
    status, _headers, page = forms.post_form(url, fields)
    return status, page


def mails(client, email: str, kind: str) -> list[dict]:
    return [m for m in client.outbox() if m["to"] == email and m["kind"] == kind]


def two_rounds(client, unique: str, company: str = "Acme Robotics") -> tuple[dict, list[dict]]:
    client.set_clock(NOW)
    email = f"out.{unique}@example.org"
    reply = client.register(email=email, timezone="Europe/London", channels=["email"], name="Ada Lovelace")
    assert reply.status == 201, reply
    candidate = reply.body
    rounds = []
    for start, people in (
        ("2036-03-03T10:00:00+00:00", [{"name": "Priya Raman", "email": "priya.raman@acme-robotics.example"}]),
        (
            "2036-03-05T14:00:00+00:00",
            [{"name": "Sam Lee"}, {"name": "Jo Bloggs", "email": "jo@acme-robotics.example"}],
        ),
    ):
        body = {
            "company": company,
            "role": "Data Analyst",
            "start": start,
            "duration_minutes": 60,
            "interviewers": people,
        }
        added = client.request("POST", f"/candidates/{candidate['candidate_id']}/interviews", body)
        assert added.status == 201, added
        rounds.append(added.body)
    return candidate, rounds


def test_offer_from_the_thank_you_link_brings_the_connect_nudge_naming_everyone_met(client, unique):
    candidate, rounds = two_rounds(client, unique)
    email = candidate["email"]
    client.set_clock(datetime(2036, 3, 5, 16, 5, tzinfo=UTC))  # the second round's thank-you is due
    thanks = [m for m in mails(client, email, "thank_you") if "Sam Lee" in m["body"]]
    assert thanks, "the second round's thank-you"
    link = OUTCOME_LINK.search(thanks[-1]["body"])[0]

    status, page = get(link)
    assert status == 200 and "How did it go at Acme Robotics?" in page
    status, page = post_form(link, [("outcome", "offer")])
    assert status == 200 and "Congratulations" in page
    client.set_clock(datetime(2036, 3, 5, 16, 6, tzinfo=UTC))  # what is due now goes out
    [connect] = mails(client, email, "connect")
    for name in ("Priya Raman", "Sam Lee", "Jo Bloggs"):
        assert name in connect["body"]
    [first, *_] = [
        i for i in client.interviews(candidate["candidate_id"]) if i["interview_id"] == rounds[0]["interview_id"]
    ]
    assert {n["kind"]: n["status"] for n in first["nudges"]}["connect"] == "sent"

    # Posted twice: nothing changes, no second connect nudge.
    status, page = post_form(link, [("outcome", "offer")])
    assert status == 200
    client.set_clock(datetime(2036, 3, 5, 16, 7, tzinfo=UTC))
    assert len(mails(client, email, "connect")) == 1

    # The operator's word stands over the candidate's, whenever it comes.
    assert client.outcome(rounds[0]["interview_id"], "rejected").status == 202
    status, page = post_form(link, [("outcome", "offer")])
    assert status == 200 and "told us the outcome already" in page
    client.set_clock(datetime(2036, 3, 5, 16, 8, tzinfo=UTC))
    assert len(mails(client, email, "connect")) == 1


def test_rejection_withdrawal_and_still_waiting(client, unique):
    candidate, _rounds = two_rounds(client, f"{unique}r")
    email = candidate["email"]
    client.set_clock(datetime(2036, 3, 5, 16, 5, tzinfo=UTC))
    link = OUTCOME_LINK.search(mails(client, email, "thank_you")[-1]["body"])[0]

    before = client.interviews(candidate["candidate_id"])
    status, page = post_form(link, [("outcome", "waiting")])
    assert status == 200 and "Nothing changes" in page
    assert client.interviews(candidate["candidate_id"]) == before  # still waiting: nothing changes

    status, page = post_form(link, [("outcome", "")])  # no answer chosen: the form again, with why
    assert status == 400 and 'id="outcome-error"' in page

    status, page = post_form(link, [("outcome", "rejected")])
    assert status == 200 and "gracious reply" in page
    client.set_clock(datetime(2036, 3, 5, 16, 6, tzinfo=UTC))
    [reply] = mails(client, email, "rejection_reply")
    assert "feedback" in reply["body"]

    # Another candidate's application, or an altered link: nothing.
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert post_form(altered, [("outcome", "offer")])[0] == 404
    assert get(link.replace(candidate["candidate_id"], "c_000000000000000000000000"))[0] == 404
    assert not mails(client, email, "connect")


def test_withdrew_ends_the_nudges(client, unique):
    candidate, rounds = two_rounds(client, f"{unique}w", company="Globex")
    email = candidate["email"]
    client.set_clock(datetime(2036, 3, 5, 16, 5, tzinfo=UTC))
    link = OUTCOME_LINK.search(mails(client, email, "thank_you")[-1]["body"])[0]
    status, page = post_form(link, [("outcome", "withdrawn")])
    assert status == 200 and "no more nudges" in page
    last = [i for i in client.interviews(candidate["candidate_id"]) if i["interview_id"] == rounds[1]["interview_id"]]
    assert {n["kind"]: n["status"] for n in last[0]["nudges"]}["follow_up"] == "cancelled"
    client.set_clock(datetime(2036, 3, 20, 12, 0, tzinfo=UTC))
    assert not mails(client, email, "follow_up") and not mails(client, email, "rejection_reply")
