"""The candidate's preferences page, end to end: in headless Chromium as the candidate uses it
(channels, time zone, kinds, re-subscribe, disconnect, erase), and by plain form posts (a forged,
altered or misused token, a post from another site, a bounce that cannot be lifted: each
changes nothing)."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest

from local_stack import browser
from tests.e2e import forms, providers
from tests.e2e.steps import register

NOW = datetime(2036, 2, 4, 9, 0, tzinfo=UTC)  # a Monday morning; New York is UTC-5 until March
PHONE = "+447700900911"

# The stack with fake Google and Graph servers (fixtures shared by the calendar modules).
fakes, stack, google, graph = providers.fakes, providers.stack, providers.google, providers.graph


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


post_form = forms.post_form


def candidate(client, candidate_id):
    return client.request("GET", f"/candidates/{candidate_id}")


def research_due(client, candidate_id):
    [interview] = client.interviews(candidate_id)
    return {n["kind"]: n for n in interview["nudges"]}["research_prompt"]["due_at"]


def submit(driver, button):
    """Click a form's button and wait for the page the form leads back to."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    button.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(button))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


@pytest.fixture(scope="module")
def driver():
    if browser.missing():
        pytest.skip(f"no headless Chromium: {browser.missing()}")
    with browser.chromium(1100, 1400) as chromium:
        yield chromium


def test_the_candidate_changes_their_choices_in_the_browser(client, stack, google, driver, unique):
    from selenium.webdriver.common.by import By

    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    registered = register(client, email, PHONE)
    candidate_id = registered["candidate_id"]
    # Given an interview on Thursday 10:00 UTC (research prompt Tuesday 10:00 UTC), a connected
    # Google calendar, and an unsubscribe from email
    assert client.book(email, f"uid-{unique}", datetime(2036, 2, 6, 10, 0, tzinfo=UTC), NOW).status == 200
    assert research_due(client, candidate_id) == "2036-02-04T10:00:00Z"
    refresh = google.add_account(f"ada-{unique}@gmail.com")
    reply = client.request(
        "POST", f"/candidates/{candidate_id}/calendars", {"provider": "google", "refresh_token": refresh}
    )
    assert reply.status == 201, reply
    client.set_clock(NOW.replace(minute=1))
    [welcome] = [m for m in client.outbox() if m["to"] == email and m["kind"] == "welcome"]
    unsubscribe = next(w for w in welcome["body"].split() if "/unsubscribe/" in w)
    assert client.request("POST", unsubscribe.removeprefix(stack.base_url)).status == 200

    # When Ada opens her preferences link
    driver.get(registered["preferences_url"])
    assert driver.find_element(By.TAG_NAME, "h1").text == "Your Interview Nudges"
    assert driver.find_element(By.ID, "forwarding").text == registered["ics_inbox_email"]
    assert "You unsubscribed" in driver.page_source
    assert driver.find_element(By.CSS_SELECTOR, '[data-calendar="google:primary"]')

    # ...turns texts off, moves to New York, turns the thank-you off, and saves
    driver.find_element(By.CSS_SELECTOR, '[data-testid="channels-sms"]').click()
    driver.find_element(By.CSS_SELECTOR, '[data-testid="kinds_off-thank_you"]').click()
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "timezone")).select_by_value("America/New_York")  # a list, not a box
    submit(driver, driver.find_element(By.ID, "save"))
    assert "Your choices are saved." in driver.page_source
    shown = candidate(client, candidate_id).body
    assert shown["channels"] == ["email"] and shown["timezone"] == "America/New_York"
    assert shown["kinds_off"] == ["thank_you"]
    # Then the research prompt still ahead is re-planned: 10:00 UTC is 05:00 in New York, quiet,
    # so it leaves after 08:00 there, within the quiet-hours spread (QuietHoursSpreadMinutes, 30)
    due = research_due(client, candidate_id)
    assert "2036-02-04T13:00:00Z" <= due < "2036-02-04T13:30:00Z", due

    # When she asks for email again
    submit(driver, driver.find_element(By.ID, "resubscribe"))
    assert "Emails are back on." in driver.page_source
    assert candidate(client, candidate_id).body["reachable"]["email"] is True

    # When she disconnects the calendar
    watched = [c["id"] for c in google.channels.values() if c["account"] == f"ada-{unique}@gmail.com"]
    submit(driver, driver.find_element(By.CSS_SELECTOR, '[data-testid="disconnect-google:primary"]'))
    assert "The calendar is disconnected." in driver.page_source
    assert candidate(client, candidate_id).body["calendars"] == []
    assert set(watched) <= set(google.stopped)  # the watch is stopped at Google too

    # When she erases herself (the confirmation typed)
    driver.find_element(By.ID, "confirm").send_keys("erase")
    submit(driver, driver.find_element(By.ID, "erase"))
    assert "Everything stored about you is erased" in driver.page_source
    assert candidate(client, candidate_id).status == 404


def test_a_forged_altered_or_misused_token_or_another_site_changes_nothing(client, stack, unique):
    client.set_clock(NOW)
    registered = register(client, f"ada-{unique}@example.org", "+447700900912")
    candidate_id, url = registered["candidate_id"], registered["preferences_url"]
    token = url.rsplit("/", 1)[1]
    before = candidate(client, candidate_id).body
    change = [("channels", "email"), ("timezone", "Asia/Tokyo"), ("locale", "en-US")]
    base = f"{stack.base_url}/preferences/"
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered signature
        "c_000000000000000000000000." + token.split(".")[1],  # another candidate's id
        registered["connect_urls"]["google"].rsplit("/", 1)[1],  # a connect link's token
        "nonsense",
    ):
        status, _, page = post_form(base + bad, change)
        assert status == 404 and "not valid" in page, (bad, status)
        status, _, _ = post_form(base + bad, [("erase", "on"), ("confirm", "erase")])
        assert status == 404
    # A form posted from another site's page
    status, _, _ = post_form(url, change, headers={"Origin": "https://evil.example"})
    assert status == 403
    status, _, _ = post_form(url, change, headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    # Origin: null (a sandboxed frame, a data: page), a foreign Referer alone, or neither header
    # without the page's form token: refused too
    for headers in ({"Origin": "null"}, {"Referer": "https://evil.example/page"}, {}):
        status, _, _ = post_form(url, change, headers=headers)
        assert status == 403, headers
    # Erase without the confirmation, an unknown zone, a channel that is not one
    status, _, page = post_form(url, [("erase", "on")])
    assert status == 400 and "Nothing was erased: type erase in the box to confirm." in page
    status, _, page = post_form(url, [("channels", "email"), ("timezone", "Mars/Olympus")])
    assert status == 400 and "timezone" in page
    status, _, page = post_form(url, [("channels", "pigeon"), ("timezone", "Europe/London")])
    assert status == 400 and "channels" in page
    after = candidate(client, candidate_id).body
    assert after == before
    # And the page itself forbids scripts and framing, and sends no referrer
    with urllib.request.urlopen(url, timeout=60) as response:
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"
        form_token = re.search(r'name="form_token" value="([^"]+)"', response.read().decode()).group(1)
    # Another candidate's form token does not stand in for the headers
    other = register(client, f"eve-{unique}@example.org", "+447700900914")
    with urllib.request.urlopen(other["preferences_url"], timeout=60) as response:
        others_token = re.search(r'name="form_token" value="([^"]+)"', response.read().decode()).group(1)
    status, _, _ = post_form(url, [*change, ("form_token", others_token)], headers={})
    assert status == 403
    assert candidate(client, candidate_id).body == before
    # A genuine post works and answers 303 back to the page: with neither header, by its form token
    status, headers, _ = post_form(url, [*change, ("form_token", form_token)], headers={})
    assert status == 303 and headers["Location"].startswith(f"/preferences/{token}")
    assert candidate(client, candidate_id).body["timezone"] == "Asia/Tokyo"


def test_a_bounce_is_never_lifted_from_the_preferences_page(client, stack, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    registered = register(client, email, "+447700900913")
    client.request("POST", "/_local/email-event", {"type": "bounce", "to": email})
    status, _, _ = post_form(registered["preferences_url"], [("resubscribe_email", "on")])
    assert status == 400
    shown = candidate(client, registered["candidate_id"]).body
    assert shown["unreachable_reasons"]["email"] == "bounced"


def test_pausing_skips_the_nudges_and_the_operator_sees_why(client, stack, unique):
    client.set_clock(NOW)
    email = f"ada-{unique}@example.org"
    registered = register(client, email, "+447700900914")
    interview_id = client.book(email, f"uid-{unique}", datetime(2036, 2, 7, 14, 0, tzinfo=UTC), NOW).body[
        "interview_id"
    ]
    status, _, _ = post_form(
        registered["preferences_url"],
        [("channels", "email"), ("channels", "sms"), ("timezone", "Europe/London"), ("paused", "on")],
    )
    assert status == 303
    assert candidate(client, registered["candidate_id"]).body["paused"] is True
    # Then the nudges ahead are skipped at once, the operator sees why, and no schedule is left
    [interview] = client.interviews(registered["candidate_id"])
    nudges = {n["kind"]: n for n in interview["nudges"]}
    assert {(n["status"], n["reason"]) for n in nudges.values()} == {("skipped", "paused by the candidate")}
    # When she unpauses but turns the research prompt off, the thank-you is planned again
    status, _, _ = post_form(
        registered["preferences_url"],
        [("channels", "email"), ("timezone", "Europe/London"), ("kinds_off", "research_prompt")],
    )
    assert status == 303
    [interview] = client.interviews(registered["candidate_id"])
    nudges = {n["kind"]: n for n in interview["nudges"]}
    assert (nudges["research_prompt"]["status"], nudges["research_prompt"]["reason"]) == (
        "skipped",
        "turned off by the candidate",
    )
    assert (nudges["thank_you"]["status"], nudges["thank_you"]["due_at"]) == ("scheduled", "2036-02-07T16:00:00Z")
    client.set_clock(datetime(2036, 2, 7, 16, 0, tzinfo=UTC))
    assert [(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] == interview_id] == [
        ("thank_you", "email")
    ]
