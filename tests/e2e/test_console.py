"""The local console (/_local/console) in headless Chromium, as a person would use it.

Chromium and its driver are Debian's packages (``make test`` installs them through the
Makefile's ``.chromium`` step); without them these tests skip and say why.
"""

from __future__ import annotations

import inspect
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from local_stack import browser
from tests.e2e.steps import book, register

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=f"no headless Chromium: {browser.missing()}")

JANE = ("Jane Doe", "jane.doe@acme-robotics.com")
PHONE = "+12025550143"


@pytest.fixture(scope="module")
def driver():
    with browser.chromium(1280, 1000) as chromium:
        yield chromium


def open_console(driver, stack):
    driver.get(f"{stack.base_url}/_local/console")
    return driver


def nudge_row(driver, interview_id, kind):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'#iv-{interview_id} tr.nudge[data-kind="{kind}"]')


def click(driver, label):
    """Click a clock button and wait for the page the form leads back to."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    [button] = [b for b in driver.find_elements(By.CSS_SELECTOR, "#clock button") if b.text == label]
    button.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(button))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def messages(driver, interview_id, kind):
    from selenium.webdriver.common.by import By

    return driver.find_elements(
        By.CSS_SELECTOR, f'#outbox article.message[data-interview="{interview_id}"][data-kind="{kind}"]'
    )


def test_clicking_the_clock_forward_shows_the_research_prompt_sent(stack, client, driver, unique):
    from selenium.webdriver.common.by import By

    # Given a candidate in New York and an interview booked through Cal.com for Thursday 14:00 UTC
    monday = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
    client.set_clock(monday)
    email = f"grace-{unique}@example.org"
    candidate_id = register(client, email, PHONE, name="Grace Hopper", timezone="America/New_York")["candidate_id"]
    interview_id = book(
        client, email, f"uid-{unique}", datetime(2031, 3, 6, 14, tzinfo=UTC), monday, name="Grace Hopper"
    )

    # When the operator opens the console
    open_console(driver, stack)
    # Then the candidate and the interview's timeline are there, due times in the candidate's zone
    card = driver.find_element(By.ID, f"cand-{candidate_id}")
    assert card.find_element(By.CSS_SELECTOR, "h3.name").text == "Grace Hopper"
    research = nudge_row(driver, interview_id, "research_prompt")
    assert "Tue 4 Mar 2031, 09:00 EST" in research.text  # 48 h before 14:00 UTC, in New York
    assert research.get_attribute("data-status") == "scheduled"
    assert "Thu 6 Mar 2031, 11:00 EST" in nudge_row(driver, interview_id, "thank_you").text
    assert messages(driver, interview_id, "research_prompt") == []

    # When the clock moves a day: still before the research prompt's due time
    click(driver, "+1 day")
    assert "Tue 4 Mar 2031, 09:00 UTC" in driver.find_element(By.ID, "clock-now").text
    assert nudge_row(driver, interview_id, "research_prompt").get_attribute("data-status") == "scheduled"
    # ...and another day: past it
    click(driver, "+1 day")
    assert "Wed 5 Mar 2031, 09:00 UTC" in driver.find_element(By.ID, "clock-now").text
    assert "Clock set to 2031-03-05 09:00 UTC" in driver.find_element(By.ID, "notice").text

    # Then the page shows the nudge sent, on both channels, and the messages in the outbox
    research = nudge_row(driver, interview_id, "research_prompt")
    assert research.get_attribute("data-status") == "sent"
    assert "sent" in research.text and "email" in research.text and "sms" in research.text
    sent = messages(driver, interview_id, "research_prompt")
    assert sorted(m.get_attribute("data-channel") for m in sent) == ["email", "sms"]
    [mail] = [m for m in sent if m.get_attribute("data-channel") == "email"]
    assert "Subject: Prepare for your Acme Robotics interview: research Jane Doe" in mail.text
    assert "Jane Doe" in mail.find_element(By.CSS_SELECTOR, "pre.body").text
    # ...the same message the outbox control reports
    [recorded] = [m for m in client.outbox() if m["interview_id"] == interview_id and m["channel"] == "email"]
    assert mail.find_element(By.CSS_SELECTOR, "pre.body").text.strip() == recorded["body"].strip()
    assert nudge_row(driver, interview_id, "thank_you").get_attribute("data-status") == "scheduled"


def test_set_to_a_time_in_a_zone_and_a_cancelled_interview(stack, client, driver, unique):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    now = datetime(2031, 6, 2, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"ada-{unique}@example.org"
    register(client, email, PHONE)
    start = datetime(2031, 6, 10, 13, tzinfo=UTC)
    interview_id = book(client, email, f"uid-{unique}", start, now)
    book(client, email, f"uid-{unique}", start, now + timedelta(hours=1), trigger="BOOKING_CANCELLED")

    open_console(driver, stack)
    article = driver.find_element(By.ID, f"iv-{interview_id}")
    assert article.get_attribute("data-status") == "cancelled"
    assert [r.get_attribute("data-status") for r in article.find_elements(By.CSS_SELECTOR, "tr.nudge")] == [
        "cancelled",  # research prompt
        "cancelled",  # thank-you
        "cancelled",  # follow-up
    ]

    # Set the clock to 09:30 London time (08:30 UTC in summer) with the form
    field = driver.find_element(By.NAME, "at")
    driver.execute_script("arguments[0].value = '2031-06-12T09:30'", field)
    Select(driver.find_element(By.NAME, "zone")).select_by_value("Europe/London")
    click(driver, "Set clock")
    assert "Thu 12 Jun 2031, 08:30 UTC" in driver.find_element(By.ID, "clock-now").text
    assert "Europe/London: Thu 12 Jun 2031, 09:30 BST" in driver.find_element(By.ID, "clock").text
    assert messages(driver, interview_id, "research_prompt") == []  # cancelled: nothing was sent


def test_markup_in_a_name_or_title_is_shown_as_text_never_run(stack, client, driver, unique):
    from selenium.webdriver.common.by import By

    now = datetime(2031, 9, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York: no quiet hours
    client.set_clock(now)
    name = f'<b id="injected-{unique}">Eve</b><img src=x onerror="document.title=\'pwned\'">'
    title = f'<script>document.title="pwned"</script><i id="title-{unique}">Interview</i>'
    interviewer = (f'<u id="person-{unique}">Mallory</u>', "mallory@evil-corp.com")
    email = f"eve-{unique}@example.org"
    candidate_id = register(client, email, PHONE, name=name, timezone="America/New_York")["candidate_id"]
    interview_id = book(
        client,
        email,
        f"uid-{unique}",
        datetime(2031, 9, 2, 14, tzinfo=UTC),
        now,
        name=name,
        organizer=interviewer,
        title=title,
    )
    client.set_clock(now + timedelta(hours=1))  # the research prompt goes at once: the start is < 48 h away

    open_console(driver, stack)
    assert driver.title == "Interview Nudges — local console"
    for injected in (f"injected-{unique}", f"title-{unique}", f"person-{unique}"):
        assert driver.find_elements(By.ID, injected) == []
    assert driver.find_elements(By.CSS_SELECTOR, "img, script") == []
    # The markup is there as text, exactly as registered and booked
    assert driver.find_element(By.CSS_SELECTOR, f"#cand-{candidate_id} h3.name").text == name
    assert title in driver.find_element(By.CSS_SELECTOR, f"#iv-{interview_id} h4").text
    sent = messages(driver, interview_id, "research_prompt")
    assert sent, "the research prompt is in the outbox"
    assert any(f'<u id="person-{unique}">Mallory</u>' in m.text for m in sent)


def test_the_page_lists_candidates_without_a_scan_and_forbids_scripts(stack, client, unique):
    # Given the console's DynamoDB client, watched for every operation it calls
    calls: list[str] = []
    outbox_scans: list[str] = []
    events = stack.aws.client("dynamodb").meta.events

    def record(model, **_):
        # The outbox (local_stack/outbox.py) stands in for what SES and SNS recorded, which AWS
        # has no API for; its one Scan is the local stack's, not the console's reads of the store.
        in_outbox = any(frame.filename.endswith("local_stack/outbox.py") for frame in inspect.stack())
        (outbox_scans if in_outbox else calls).append(model.name)

    events.register("before-call.dynamodb", record)
    try:
        register(client, f"ops-{unique}@example.org", PHONE, name=f"Operator {unique}", timezone="America/New_York")
        with urllib.request.urlopen(f"{stack.base_url}/_local/console", timeout=60) as response:
            page = response.read().decode()
            csp = response.headers["content-security-policy"]
    finally:
        events.unregister("before-call.dynamodb", record)
    assert f"Operator {unique}" in page
    assert "Query" in calls and "Scan" not in calls
    assert outbox_scans == ["Scan"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # so no script may run


def test_a_form_posted_from_another_site_is_refused(stack):
    request = urllib.request.Request(
        f"{stack.base_url}/_local/console/clock",
        data=b"step=1d",
        method="POST",
        headers={"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
    )
    before = stack.clock.now()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 403
    assert stack.clock.now() - before < timedelta(hours=1)  # the clock did not move a day
