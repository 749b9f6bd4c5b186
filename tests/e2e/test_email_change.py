"""A candidate's email changes on the local stack (issues 28, 29): ``PATCH /candidates/{id}``
with ``email``; invites to the old and to the new address plan nudges for the same candidate;
the old address is told (in ``GET /_local/outbox``); a taken address is refused naming
``email``; erasure after the change leaves no item naming either address, nor does erasure
before the click on a change's link (the link then no longer valid)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from tests.e2e.forms import post_form
from tests.e2e.test_ics import register, token_of
from tests.e2e.test_join import get

NOW = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)


def invite(uid: str, attendee: str, organizer: str, start: str) -> bytes:
    """A forwarded .ics invite naming the candidate at ``attendee``."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tests//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20310203T090000Z",
        f"DTSTART:{start}",
        "DURATION:PT1H",
        "SUMMARY:Interview",
        f"ORGANIZER;CN=Jane Doe:mailto:{organizer}",
        f"ATTENDEE;CN=Jane Doe;ROLE=REQ-PARTICIPANT:mailto:{organizer}",
        f"ATTENDEE;CN=Maya Okafor;ROLE=REQ-PARTICIPANT:mailto:{attendee}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_changed_email_keeps_the_old_one_for_invites_tells_it_and_erasure_leaves_neither(client, stack, unique):
    client.set_clock(NOW)
    old, new = f"maya-{unique}@uni.example", f"maya-{unique}@work.example"
    maya = register(client, old)
    other = register(client, f"other-{unique}@example.org", name="Other Person")
    candidate_id = maya["candidate_id"]

    taken = client.request("PATCH", f"/candidates/{candidate_id}", {"email": f"other-{unique}@example.org"})
    assert other["candidate_id"] != candidate_id
    assert taken.status == 400 and "email" in taken.body["message"], taken
    bad = client.request("PATCH", f"/candidates/{candidate_id}", {"email": "not an address"})
    assert bad.status == 400 and "email" in json.dumps(bad.body), bad
    assert client.request("GET", f"/candidates/{candidate_id}").body["email"] == old

    changed = client.request("PATCH", f"/candidates/{candidate_id}", {"email": new.upper()})
    assert changed.status == 200 and changed.body["email"] == new, changed
    assert changed.body["email_aliases"] == [old]
    assert client.request("GET", f"/candidates?{urlencode({'email': old})}").body["candidate_id"] == candidate_id
    assert client.request("GET", f"/candidates?{urlencode({'email': new})}").body["candidate_id"] == candidate_id
    notice = [m for m in client.outbox() if m["to"] == old and m.get("kind") == "email_changed"]
    assert len(notice) == 1 and new in notice[0]["body"], client.outbox()[-3:]

    # An invite to the old address and one to the new, forwarded to the inbox; and a Cal.com
    # booking naming the old address.
    for uid, attendee, organizer in (
        (f"old-{unique}", old, "jane@globex.example"),
        (f"new-{unique}", new, "jane@initech.example"),
    ):
        reply = client.ics(token_of(maya), invite(uid, attendee, organizer, "20310210T140000Z"))
        assert reply.status == 200, reply
    booked = client.book(old, f"cal-{unique}", datetime(2031, 2, 12, 14, 0, tzinfo=UTC), NOW)
    assert booked.status in (200, 201), booked
    interviews = client.interviews(candidate_id)
    assert len(interviews) == 3, interviews
    for interview in interviews:
        kinds = {n["kind"]: n["status"] for n in interview["nudges"]}
        assert kinds.get("research_prompt") == "scheduled", interview
        # The candidate, at either address, is never taken for an interviewer.
        assert {p["email"] for p in interview["interviewers"]} & {old, new} == set(), interview

    assert client.request("DELETE", f"/candidates/{candidate_id}").status in (200, 204)
    ddb = stack.aws.client("dynamodb")
    left = []
    for page in ddb.get_paginator("scan").paginate(TableName=stack.template.ref("NudgesTable")):
        left += [item for item in page["Items"] if old in json.dumps(item) or new in json.dumps(item)]
    assert left == [], [(i["PK"], i["SK"]) for i in left]


def test_a_pending_change_link_is_erased_with_the_candidate(client, stack, unique):
    """A candidate asks for a new address on their preferences page, then is erased before the
    click: the link is no longer valid, and no item names either address."""
    client.set_clock(NOW)
    old, new = f"ines-{unique}@uni.example", f"ines-{unique}@work.example"
    ines = client.register(email=old, timezone="Europe/London", channels=["email"], name="Ines Duarte").body
    status, _, page = post_form(ines["preferences_url"], [("new_email", new)])
    assert status == 303, page[-2000:]  # back to the page, which says where the link went
    [mail] = [m for m in client.outbox() if m["to"] == new and m["kind"] == "verification"]
    link = re.search(r"https?://\S+/email/verify/[\w-]+", mail["body"])[0]
    assert get(link)[0] == 200  # the link works while the candidate is there

    assert client.request("DELETE", f"/candidates/{ines['candidate_id']}").status in (200, 204)
    status, page = get(link)
    assert status == 404 and "not valid" in page, page[-2000:]
    status, _, page = post_form(link, [])
    assert status == 404 and "not valid" in page, page[-2000:]
    assert client.request("GET", f"/candidates?{urlencode({'email': new})}").status == 404
    ddb = stack.aws.client("dynamodb")
    left = []
    for page_of in ddb.get_paginator("scan").paginate(TableName=stack.template.ref("NudgesTable")):
        left += [item for item in page_of["Items"] if old in json.dumps(item) or new in json.dumps(item)]
    assert left == [], [(i["PK"], i["SK"]) for i in left]
