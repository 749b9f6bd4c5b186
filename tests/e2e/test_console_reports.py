"""The console's reports (issue 25) in headless Chromium against the local stack, signed in as the
local admin: candidates run through interviews (Cal.com bookings, the clock moved so nudges send
and SES's delivery events come, a bounce, outcomes), then the messages report and its CSV say
what the outbox and the candidates' message logs hold, a bad period is refused beside its field,
the unreachable list names the bounced candidate and why, and outcomes are counted per cohort.
"""

from __future__ import annotations

import csv
import io
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from local_stack import browser
from local_stack.stack import LOCAL_ADMIN_EMAIL
from tests.e2e.test_adviser_console import (
    ADMIN_PASSWORD,
    SESSION_COOKIE,
    all_css,
    axe_violations,
    by_css,
    fill,
    screenshot,
    sign_in,
    submit,
)

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=f"no headless Chromium: {browser.missing()}")

MONDAY = datetime(2033, 5, 2, 9, 0, tzinfo=UTC)
STATUSES = ("delivered", "read", "bounced", "complained", "failed", "delayed", "pending")


@pytest.fixture(scope="module")
def driver():
    with browser.chromium(1280, 1000) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def admin(stack, driver):
    """The local admin, signed in (choosing their password on this stack's first sign-in)."""
    sign_in(driver, stack, LOCAL_ADMIN_EMAIL, stack.admin_password)
    fill(driver, "new_password", ADMIN_PASSWORD)
    fill(driver, "confirm", ADMIN_PASSWORD)
    submit(driver)
    assert driver.current_url.endswith("/console/candidates"), driver.page_source[:2000]


@pytest.fixture(scope="module")
def cohort(client):
    """Ann and Ben joined with the spring cohort's code, Cas was added by the operator (no code,
    email and texts). Each has an interview Wednesday 14:00 UTC; by Friday the research prompts
    and thank-yous have gone, Ann has an offer, Ben a rejection, Cas's last email bounced and
    Cas is still waiting."""
    client.set_clock(MONDAY)
    made = client.request("POST", "/join-codes", {"label": "Spring fair"})
    assert made.status == 201, made
    code = made.body["join_code"]
    people = {
        "ann": client.register(
            email="ann@example.org", name="Ann Ash", timezone="Europe/London", channels=["email"], join_code=code
        ),
        "ben": client.register(
            email="ben@example.org", name="Ben Birch", timezone="Europe/London", channels=["email"], join_code=code
        ),
        "cas": client.register(
            email="cas@example.org",
            name="Cas Cedar",
            timezone="Europe/London",
            channels=["email", "sms"],
            phone="+447700900733",
        ),
    }
    ids = {}
    interviews = {}
    for name, reply in people.items():
        assert reply.status == 201, reply
        ids[name] = reply.body["candidate_id"]
        booked = client.book(
            f"{name}@example.org", f"uid-report-{name}", datetime(2033, 5, 4, 14, tzinfo=UTC), MONDAY, name=name.title()
        )
        assert booked.status in (200, 201), booked
        interviews[name] = booked.body["interview_id"]
    client.set_clock(datetime(2033, 5, 5, 9, 0, tzinfo=UTC))  # research prompts and thank-yous sent
    assert client.request("POST", "/_local/email-event", {"type": "bounce", "to": "cas@example.org"}).status == 202
    assert client.outcome(interviews["ann"], "offer").status in (200, 201, 202)
    assert client.outcome(interviews["ben"], "rejected").status in (200, 201, 202)
    client.set_clock(datetime(2033, 5, 6, 12, 0, tzinfo=UTC))  # the connect nudge and the rejection reply
    return {"code": code, "ids": ids, "interviews": interviews}


def _get(stack, driver, path):
    """A console answer fetched with the browser's session (a CSV download), as (status, text)."""
    session = next(c for c in driver.get_cookies() if c["name"] == SESSION_COOKIE)
    request = urllib.request.Request(
        f"{stack.base_url}{path}", headers={"Cookie": f"{SESSION_COOKIE}={session['value']}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Content-Type", ""), refused.read().decode()


def _logged(client, ids):
    """(kind, channel, status as the report names it) of every message in the candidates' logs."""
    found = []
    for candidate_id in ids.values():
        reply = client.request("GET", f"/candidates/{candidate_id}/messages")
        assert reply.status == 200, reply
        for message in reply.body:
            status = "pending" if message["status"] == "sent" else message["status"]
            found.append((message["kind"], message["channel"], status))
    return found


def test_the_messages_report_and_its_csv_say_what_the_outbox_holds(stack, client, driver, admin, cohort):
    # Given the outbox: every message the stack sent, with its kind (all in the last 30 days)
    outbox = [m for m in client.outbox() if m.get("kind")]
    assert outbox, "the nudges went"
    sent = Counter((m["kind"], m["channel"]) for m in outbox)
    assert sent[("research_prompt", "email")] == 3 and sent[("thank_you", "email")] == 3
    # ...and the status of each as the candidates' message logs have it (SES's events applied)
    statuses = Counter(_logged(client, cohort["ids"]))
    assert statuses[("thank_you", "email", "bounced")] == 1  # Cas's last email before the bounce
    assert statuses[("research_prompt", "email", "delivered")] == 3

    # When the adviser opens the reports (the default period: the last 30 days by the service's clock)
    driver.get(f"{stack.base_url}/console/candidates")
    by_css(driver, 'header nav a[href="/console/reports"]').click()
    assert by_css(driver, "h1").text == "Reports"
    assert by_css(driver, "#from").get_attribute("value") == "2033-04-07"
    assert by_css(driver, "#to").get_attribute("value") == "2033-05-06"
    page = {
        (r.get_attribute("data-kind"), r.get_attribute("data-channel")): [
            c.text for c in r.find_elements("css selector", "td")
        ]
        for r in all_css(driver, "#messages tbody tr")
    }
    # Then each kind and channel the outbox has is a row, with as many sent
    assert {k: int(v[1]) for k, v in page.items()} == dict(sent)

    # And the CSV carries the same numbers: sent per the outbox, each status per the message logs
    status, content_type, text = _get(stack, driver, "/console/reports/messages.csv")
    assert status == 200 and content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["kind", "channel", "sent", *STATUSES]
    body = [r for r in rows if r["kind"] != "total"]
    assert {(r["kind"], r["channel"]): int(r["sent"]) for r in body} == dict(sent)
    assert {(r["kind"], r["channel"], s): int(r[s]) for r in body for s in STATUSES if int(r[s])} == dict(statuses)
    [total] = [r for r in rows if r["kind"] == "total"]
    assert int(total["sent"]) == len(outbox) == sum(int(total[s]) for s in STATUSES)
    for r in body:  # the page's row is the CSV's row
        assert page[(r["kind"], r["channel"])][1:] == [r["sent"], *(r[s] for s in STATUSES)]

    # A period before any of it sent nothing
    status, _, text = _get(stack, driver, "/console/reports/messages.csv?from=2033-01-01&to=2033-01-31")
    assert status == 200 and [r["kind"] for r in csv.DictReader(io.StringIO(text))] == ["total"]
    assert axe_violations(driver) == []
    screenshot(driver, "console-reports.png")


def test_a_bad_period_is_refused_beside_its_field(stack, driver, admin):
    driver.get(f"{stack.base_url}/console/reports")
    fill(driver, "from", "2033-13-01")
    submit(driver)
    assert "From: not a date" in by_css(driver, "#from-error").text
    assert by_css(driver, "#from").get_attribute("aria-describedby") == "from-error"
    assert not all_css(driver, "#messages")
    fill(driver, "from", "2033-05-10")
    fill(driver, "to", "2033-05-01")
    submit(driver)
    assert "before the From date" in by_css(driver, "#to-error").text
    assert not all_css(driver, "#from-error")
    assert axe_violations(driver) == []
    # The CSV is refused too, with the same words, and no numbers
    status, content_type, text = _get(stack, driver, "/console/reports/messages.csv?from=2033-05-10&to=2033-05-01")
    assert status == 400 and content_type.startswith("text/html") and "before the From date" in text
    status, _, text = _get(stack, driver, "/console/reports/outcomes.csv?from=soon")
    assert status == 400 and "From: not a date" in text


def test_the_unreachable_list_names_the_bounced_candidate_and_why(stack, driver, admin, cohort):
    driver.get(f"{stack.base_url}/console/reports")
    by_css(driver, 'main nav a[href="/console/reports/unreachable"]').click()
    shown = {r.get_attribute("data-candidate"): r.text for r in all_css(driver, "#unreachable tbody tr")}
    assert set(shown) == {cohort["ids"]["cas"]}
    assert "email: email bounced" in shown[cohort["ids"]["cas"]]
    assert axe_violations(driver) == []
    status, _, text = _get(stack, driver, "/console/reports/unreachable.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200
    assert [(r["candidate_id"], r["email"], r["channel"], r["reason"], r["why"]) for r in rows] == [
        (cohort["ids"]["cas"], "cas@example.org", "email", "bounced", "email bounced")
    ]


def test_outcomes_are_counted_per_cohort_and_month(stack, driver, admin, cohort):
    driver.get(f"{stack.base_url}/console/reports/outcomes")
    shown = {
        (r.get_attribute("data-cohort"), r.get_attribute("data-month")): [
            c.text for c in r.find_elements("css selector", "td")
        ]
        for r in all_css(driver, "#outcomes tbody tr")
    }
    code = cohort["code"]
    # Ann's offer and Ben's rejection in May, under their join code; Cas (no code) still waiting
    assert shown == {
        (code, "2033-05"): ["2033-05", "1", "1", "0", "0"],
        ("", "waiting"): ["still waiting", "0", "0", "0", "1"],
    }
    assert axe_violations(driver) == []
    # One cohort only, and the CSV with the same numbers
    fill(driver, "cohort", code)
    submit(driver)
    assert [r.get_attribute("data-cohort") for r in all_css(driver, "#outcomes tbody tr")] == [code]
    href = by_css(driver, "#csv").get_attribute("href")
    status, _, text = _get(stack, driver, href.removeprefix(stack.base_url))
    assert status == 200
    assert list(csv.DictReader(io.StringIO(text))) == [
        {
            "join_code": code,
            "month": "2033-05",
            "offers": "1",
            "rejections": "1",
            "withdrawals": "0",
            "still_waiting": "0",
        }
    ]
    # A month before: no outcome then, and the waiting are waiting whatever the period
    later = MONDAY - timedelta(days=60)
    status, _, text = _get(stack, driver, f"/console/reports/outcomes.csv?from={later.date()}&to={later.date()}")
    assert [(r["join_code"], r["month"], r["still_waiting"]) for r in csv.DictReader(io.StringIO(text))] == [
        ("", "waiting", "1")
    ]
