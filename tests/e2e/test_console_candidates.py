"""Advisers act on candidates from the console (issue 25): add one, import a CSV, edit one, add,
move and cancel an interview by hand. In headless Chromium against the local stack, signed in
as the local admin; what each form did is checked where a user would see it: the outbox
(``GET /_local/outbox``), the operator API, and the audit log with who did it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from local_stack import LocalStack, browser
from local_stack.stack import LOCAL_ADMIN_EMAIL
from tests.e2e.conftest import ROOT
from tests.e2e.test_adviser_console import (
    ADMIN_PASSWORD,
    _admin_sub,
    all_css,
    axe_violations,
    by_css,
    fill,
    screenshot,
    sign_in,
    submit,
)

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=f"no headless Chromium: {browser.missing()}")

MONDAY = datetime(2033, 3, 7, 9, 0, tzinfo=UTC)  # London is on GMT until the end of March
# The operator's DefaultTimezone for this module's stack: not the fallback (Europe/London), so the
# add-candidate form shows where its preselected zone comes from. (Dublin keeps London's clock.)
OPERATOR_ZONE = "Europe/Dublin"


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(ROOT, parameter_overrides={"DefaultTimezone": OPERATOR_ZONE})
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def driver():
    with browser.chromium(1280, 1000) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def admin(stack, client, driver):
    """The local admin, signed in (choosing their password on this stack's first sign-in)."""
    client.set_clock(MONDAY)
    sign_in(driver, stack, LOCAL_ADMIN_EMAIL, stack.admin_password)
    fill(driver, "new_password", ADMIN_PASSWORD)
    fill(driver, "confirm", ADMIN_PASSWORD)
    submit(driver)
    assert driver.current_url.endswith("/console/candidates"), driver.page_source[:2000]
    return _admin_sub(stack)


def audited(driver, stack, candidate_id):
    """The audit log's rows about one candidate, newest first: (action, text)."""
    driver.get(f"{stack.base_url}/console/audit")
    rows = all_css(driver, "#audit tbody tr")
    return [(r.get_attribute("data-action"), r.text) for r in rows if r.get_attribute("data-candidate") == candidate_id]


def sent(client, to, kind):
    return [m for m in client.outbox() if m.get("to") == to and m["kind"] == kind]


def follow(driver, selector):
    """Follow a link and wait for the page it leads to (as ``submit`` waits for a form's)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    link = by_css(driver, selector)
    link.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(link))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def check(driver, selector, on=True):
    box = by_css(driver, selector)
    if box.is_selected() != on:
        box.click()


def choose(driver, field_id, value):
    from selenium.webdriver.support.ui import Select

    Select(by_css(driver, f"#{field_id}")).select_by_value(value)


def candidate_id_from(driver):
    return driver.current_url.split("/console/candidates/")[1].split("?")[0].split("#")[0]


# ---------------------------------------------------------------- add
def test_an_adviser_adds_a_candidate_who_gets_the_welcome(stack, client, driver, admin):
    client.set_clock(MONDAY)
    driver.get(f"{stack.base_url}/console/candidates")
    follow(driver, '#act a[href="/console/candidates/new"]')
    assert by_css(driver, "h1").text == "Add a candidate"
    # The operator's DefaultTimezone preselected (the adviser has chosen no zone of their own yet)
    from selenium.webdriver.support.ui import Select

    assert Select(by_css(driver, "#timezone")).first_selected_option.get_attribute("value") == OPERATOR_ZONE
    # A number that is no number: said beside the field, the input kept, nobody registered
    fill(driver, "email", "nia.okafor@example.org")
    fill(driver, "name", "Nia Okafor")
    fill(driver, "phone", "12")
    check(driver, "#channel-sms")
    submit(driver)
    assert "does not look like a mobile number" in by_css(driver, "#phone-error").text
    assert by_css(driver, "#email").get_attribute("value") == "nia.okafor@example.org"
    assert by_css(driver, "#channel-sms").is_selected()
    assert client.request("GET", "/candidates?email=nia.okafor@example.org").status == 404
    assert axe_violations(driver) == []
    screenshot(driver, "console-add-candidate.png")
    # As people type it, with the country: registered, as POST /candidates registers
    fill(driver, "phone", "07700 900 321")
    choose(driver, "country", "GB")
    submit(driver)
    assert "Candidate added." in by_css(driver, "#notice").text
    candidate_id = candidate_id_from(driver)
    found = client.request("GET", "/candidates?email=nia.okafor@example.org").body
    assert found["candidate_id"] == candidate_id and found["phone"] == "+447700900321"
    assert found["channels"] == ["email", "sms"] and found["timezone"] == OPERATOR_ZONE
    # The welcome went out (the stack delivers what is due when its clock is set), by email and
    # by SMS asking for the YES (no consent given)
    client.set_clock(MONDAY)
    assert [m["channel"] for m in sent(client, "nia.okafor@example.org", "welcome")] == ["email"]
    assert sent(client, "+447700900321", "welcome")
    # Adding the same address again is refused beside the email, naming the candidate
    driver.get(f"{stack.base_url}/console/candidates/new")
    fill(driver, "email", "Nia.Okafor@example.org")
    submit(driver)
    assert f"/console/candidates/{candidate_id}" in by_css(driver, "#email-error").text
    assert len(sent(client, "nia.okafor@example.org", "welcome")) == 1
    # In the audit log, with who did it
    [(action, text)] = audited(driver, stack, candidate_id)
    assert action == "register" and LOCAL_ADMIN_EMAIL in text and admin in text


def test_consent_given_and_a_cohort_are_recorded(stack, client, driver, admin):
    driver.get(f"{stack.base_url}/console/candidates/new")
    fill(driver, "email", "omar@example.org")
    fill(driver, "phone", "+44 7700 900322")
    check(driver, "#channel-sms")
    fill(driver, "join_code", "Spring-2033")
    fill(driver, "sms_consent", "paper form, careers fair 3 March")
    submit(driver)
    assert "Candidate added." in by_css(driver, "#notice").text
    found = client.request("GET", "/candidates?email=omar@example.org").body
    assert found["join_code"] == "spring-2033"
    assert found["unreachable_reasons"].get("sms") is None  # consent on record: texts go
    assert not sent(client, "+447700900322", "consent_request")
    # An adviser who works in New York gets New York preselected
    driver.get(f"{stack.base_url}/console/settings")
    choose(driver, "timezone", "America/New_York")
    submit(driver)
    driver.get(f"{stack.base_url}/console/candidates/new")
    from selenium.webdriver.support.ui import Select

    assert Select(by_css(driver, "#timezone")).first_selected_option.get_attribute("value") == "America/New_York"


# ---------------------------------------------------------------- import
CSV = (
    "email,name,phone,timezone,channels,sms_consent\n"
    "ivy@example.org,Ivy Chen,+44 7700 900401,Europe/London,email;sms,yes\n"
    "not-an-address,Nobody,,Europe/London,email,\n"
    "joe@example.org,Joe Bloggs,,Mars/Olympus,,\n"
    "kim@example.org,Kim Park,,America/New_York,,\n"
    "IVY@example.org,Ivy again,,Europe/London,,\n"
)


def test_an_import_names_the_bad_lines_registers_the_good_and_duplicates_nothing_again(
    stack, client, driver, admin, tmp_path
):
    path = tmp_path / "cohort.csv"
    path.write_text(CSV, encoding="utf-8")
    driver.get(f"{stack.base_url}/console/candidates")
    follow(driver, '#act a[href="/console/candidates/import"]')
    assert by_css(driver, "h1").text == "Import candidates"
    assert axe_violations(driver) == []
    screenshot(driver, "console-import.png")
    by_css(driver, "#file").send_keys(str(path))
    submit(driver)
    # Each bad line named with what is wrong; the good rows registered
    failed = {r.get_attribute("data-line"): r.text for r in all_css(driver, "#failed tbody tr")}
    assert set(failed) == {"3", "4", "6"}
    assert "email: not an email address" in failed["3"]
    assert "timezone: 'Mars/Olympus' is not an IANA time zone" in failed["4"]
    assert "email: already on line 2" in failed["6"]
    created = {r.get_attribute("data-line"): r.text for r in all_css(driver, "#created tbody tr")}
    assert created == {"2": "line 2 ivy@example.org", "5": "line 5 kim@example.org"}
    assert "2 registered, 0 already registered, 3 not imported" in by_css(driver, "#notice").text
    assert axe_violations(driver) == []
    screenshot(driver, "console-import-result.png")
    ivy = client.request("GET", "/candidates?email=ivy@example.org").body
    kim = client.request("GET", "/candidates?email=kim@example.org").body
    assert ivy["channels"] == ["email", "sms"] and ivy["phone"] == "+447700900401"
    assert kim["channels"] == ["email"]  # no channels: email
    assert ivy["unreachable_reasons"].get("sms") is None  # sms_consent yes: consent on record
    assert client.request("GET", "/candidates?email=joe@example.org").status == 404
    client.set_clock(MONDAY)
    # Ivy's welcome went (Kim's waits for the morning in New York), by email and by SMS
    welcomes = sent(client, "ivy@example.org", "welcome") + sent(client, "+447700900401", "welcome")
    assert len(welcomes) == 2

    # The same file again: nothing registered twice, nothing sent twice
    driver.get(f"{stack.base_url}/console/candidates/import")
    by_css(driver, "#file").send_keys(str(path))
    submit(driver)
    assert "0 registered, 2 already registered, 3 not imported" in by_css(driver, "#notice").text
    assert {r.get_attribute("data-line") for r in all_css(driver, "#already tbody tr")} == {"2", "5"}
    client.set_clock(MONDAY)
    assert len(sent(client, "ivy@example.org", "welcome") + sent(client, "+447700900401", "welcome")) == 2
    assert client.request("GET", "/candidates?email=ivy@example.org").body["candidate_id"] == ivy["candidate_id"]

    # Pasted rows work the same; the fixed line goes in
    driver.get(f"{stack.base_url}/console/candidates/import")
    fill(driver, "text", "email,timezone\njoe@example.org,Europe/Paris\n")
    submit(driver)
    assert "1 registered" in by_css(driver, "#notice").text
    assert client.request("GET", "/candidates?email=joe@example.org").body["timezone"] == "Europe/Paris"
    # Each registration in the audit log, with its line
    [(action, text)] = audited(driver, stack, kim["candidate_id"])
    assert action == "register" and "line 5" in text and LOCAL_ADMIN_EMAIL in text


def test_a_file_with_wrong_columns_imports_nothing(stack, client, driver, admin):
    driver.get(f"{stack.base_url}/console/candidates/import")
    fill(driver, "text", "mail,zone\nzed@example.org,Europe/London\n")
    submit(driver)
    assert "no email, timezone column" in by_css(driver, "#file-error").text
    assert "zed@example.org" in by_css(driver, "#text").get_attribute("value")  # kept
    assert client.request("GET", "/candidates?email=zed@example.org").status == 404


# ---------------------------------------------------------------- edit
def test_editing_the_phone_asks_for_a_yes_only_when_texts_are_wanted(stack, client, driver, admin):
    texts = client.register(
        email="lee@example.org", name="Lee", timezone="Europe/London", channels=["email", "sms"], phone="+447700900501"
    ).body["candidate_id"]
    mails = client.register(
        email="max@example.org", name="Max", timezone="Europe/London", channels=["email"], phone="+447700900601"
    ).body["candidate_id"]
    # Texts wanted, consent on record for the old number: the new number is asked once
    driver.get(f"{stack.base_url}/console/candidates/{texts}")
    follow(driver, "#edit")
    assert by_css(driver, "#phone").get_attribute("value") == "+447700900501"
    assert axe_violations(driver) == []
    fill(driver, "phone", "07700 900 502")
    submit(driver)
    assert "Changes saved." in by_css(driver, "#notice").text
    assert client.request("GET", f"/candidates/{texts}").body["phone"] == "+447700900502"
    assert len(sent(client, "+447700900502", "consent_request")) == 1
    # A change of name only asks nothing more
    driver.get(f"{stack.base_url}/console/candidates/{texts}/edit")
    fill(driver, "name", "Lee Wong")
    submit(driver)
    assert len(sent(client, "+447700900502", "consent_request")) == 1
    # Email only: a new number is not asked anything
    driver.get(f"{stack.base_url}/console/candidates/{mails}/edit")
    fill(driver, "phone", "+447700900602")
    submit(driver)
    assert client.request("GET", f"/candidates/{mails}").body["phone"] == "+447700900602"
    assert not sent(client, "+447700900602", "consent_request")
    # A refused change keeps the input and changes nothing
    driver.get(f"{stack.base_url}/console/candidates/{mails}/edit")
    fill(driver, "phone", "")
    check(driver, "#channel-sms")
    submit(driver)
    assert "mobile number is needed" in by_css(driver, "#phone-error").text
    assert client.request("GET", f"/candidates/{mails}").body["channels"] == ["email"]
    # A new address: the candidate is found by it, the old one kept (and told)
    driver.get(f"{stack.base_url}/console/candidates/{texts}/edit")
    fill(driver, "email", "lee.wong@example.org")
    submit(driver)
    assert "Changes saved." in by_css(driver, "#notice").text
    assert client.request("GET", "/candidates?email=lee.wong@example.org").body["candidate_id"] == texts
    assert len(sent(client, "lee@example.org", "email_changed")) == 1  # the old address told
    # ...and an address another candidate holds is refused beside the field, nothing changed
    driver.get(f"{stack.base_url}/console/candidates/{texts}/edit")
    fill(driver, "email", "max@example.org")
    fill(driver, "name", "Lee W.")
    submit(driver)
    assert "another candidate" in by_css(driver, "#email-error").text
    assert by_css(driver, "#name").get_attribute("value") == "Lee W."
    assert client.request("GET", f"/candidates/{texts}").body["name"] == "Lee Wong"
    # Audited with what changed
    actions = audited(driver, stack, texts)
    assert [a for a, _ in actions] == ["update", "update", "update"]
    assert "changed email" in actions[0][1] and "changed name" in actions[1][1] and "changed phone" in actions[2][1]


# ---------------------------------------------------------------- interviews by hand
def add_interview(driver, stack, candidate_id, company, day, at):
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}")
    follow(driver, "#add-interview")
    fill(driver, "company", company)
    fill(driver, "role", "Data Analyst")
    fill(driver, "date", day)
    fill(driver, "time", at)
    fill(driver, "duration", "60")
    fill(driver, "interviewer_name_1", "Priya Raman")
    fill(driver, "interviewer_email_1", "priya.raman@acme.example")
    submit(driver)


def timeline(client, candidate_id):
    return {i["company"]: {n["kind"]: n for n in i["nudges"]} | {"_": i} for i in client.interviews(candidate_id)}


def test_an_interview_added_by_hand_is_nudged_moved_and_cancelled(stack, client, driver, admin):
    client.set_clock(MONDAY)
    candidate_id = client.register(
        email="ana@example.org", name="Ana Silva", timezone="Europe/London", channels=["email"]
    ).body["candidate_id"]
    # A date that does not exist: said beside the field, the rest kept, nothing booked
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}/interviews/new")
    fill(driver, "company", "Acme Robotics")
    fill(driver, "date", "2033-02-30")
    fill(driver, "time", "14:00")
    fill(driver, "interviewer_name_1", "Priya Raman")
    submit(driver)
    assert "YYYY-MM-DD" in by_css(driver, "#date-error").text
    assert by_css(driver, "#date").get_attribute("value") == "2033-02-30"  # as typed
    assert by_css(driver, "#company").get_attribute("value") == "Acme Robotics"
    assert client.interviews(candidate_id) == []
    assert axe_violations(driver) == []
    screenshot(driver, "console-add-interview.png")

    # Thursday 14:00 London: research prompt 48 h before, thank-you an hour after the end
    add_interview(driver, stack, candidate_id, "Acme Robotics", "2033-03-10", "14:00")
    assert "Interview added." in by_css(driver, "#notice").text
    acme = timeline(client, candidate_id)["Acme Robotics"]
    assert acme["_"]["source"] == "hand" and acme["_"]["start"] == "2033-03-10T14:00:00Z"
    assert acme["research_prompt"]["due_at"] == "2033-03-08T14:00:00Z"
    assert acme["thank_you"]["due_at"] == "2033-03-10T16:00:00Z"
    # A second one, Friday, that will move and then be cancelled
    add_interview(driver, stack, candidate_id, "Globex", "2033-03-11", "10:00")
    globex = timeline(client, candidate_id)["Globex"]
    assert globex["research_prompt"]["due_at"] == "2033-03-09T10:00:00Z"

    # Moved to the next Monday 11:30: its nudges move with it
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}")
    follow(driver, f"#iv-{globex['_']['interview_id']} a.move")
    assert by_css(driver, "#date").get_attribute("value") == "2033-03-11"  # the form shows it as it is
    fill(driver, "date", "2033-03-14")
    fill(driver, "time", "11:30")
    submit(driver, 'form[action$="/edit"]')
    assert "Interview moved." in by_css(driver, "#notice").text
    moved = timeline(client, candidate_id)["Globex"]
    assert moved["_"]["start"] == "2033-03-14T11:30:00Z"
    assert moved["research_prompt"]["due_at"] == "2033-03-12T11:30:00Z"

    # Tuesday 14:05: Acme's research prompt went; Globex's old one (Wednesday) is not due
    client.set_clock(datetime(2033, 3, 8, 14, 5, tzinfo=UTC))
    [research] = sent(client, "ana@example.org", "research_prompt")
    assert "Acme" in research["subject"] + research["body"]
    # Thursday 16:05: Acme's thank-you went, naming the interviewer
    client.set_clock(datetime(2033, 3, 10, 16, 5, tzinfo=UTC))
    [thanks] = sent(client, "ana@example.org", "thank_you")
    assert "priya.raman@acme.example" in thanks["body"]

    # Globex cancelled: nothing more for it, ever
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}/interviews/{globex['_']['interview_id']}/edit")
    submit(driver, "#cancel-form")
    assert "Interview cancelled." in by_css(driver, "#notice").text
    assert timeline(client, candidate_id)["Globex"]["thank_you"]["status"] == "cancelled"
    client.set_clock(datetime(2033, 3, 15, 12, 0, tzinfo=UTC))
    assert len(sent(client, "ana@example.org", "research_prompt")) == 1
    assert len(sent(client, "ana@example.org", "thank_you")) == 1
    assert not all_css(driver, f"#iv-{globex['_']['interview_id']} a.move")

    # Each in the audit log, newest first, with who did it
    actions = audited(driver, stack, candidate_id)
    assert [a for a, _ in actions] == ["interview_cancelled", "interview_changed", "interview_added", "interview_added"]
    assert all(LOCAL_ADMIN_EMAIL in text for _, text in actions)
    assert globex["_"]["interview_id"] in actions[0][1]


def test_a_calendar_booking_is_read_only_here(stack, client, driver, admin):
    client.set_clock(MONDAY)
    candidate_id = client.register(email="cal@example.org", timezone="Europe/London", channels=["email"]).body[
        "candidate_id"
    ]
    booked = client.book("cal@example.org", "uid-cal", datetime(2033, 3, 10, 14, tzinfo=UTC), MONDAY).body
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}")
    assert not all_css(driver, f"#iv-{booked['interview_id']} a.move")
    driver.get(f"{stack.base_url}/console/candidates/{candidate_id}/interviews/{booked['interview_id']}/edit")
    assert "changes there, not here" in by_css(driver, "#read-only").text
    assert not all_css(driver, "main form")
    # ...and a cancel posted anyway (the session's own token, by hand) is refused, nothing cancelled
    driver.execute_script(
        "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
        "const t = document.querySelector('input[name=csrf]').cloneNode(); f.appendChild(t);"
        "document.body.appendChild(f); f.submit();",
        f"/console/candidates/{candidate_id}/interviews/{booked['interview_id']}/cancel",
    )
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.current_url.endswith("/cancel"))
    assert by_css(driver, "h1").text == "Refused"
    assert "it changes there, not here" in by_css(driver, "main").text
    assert client.interviews(candidate_id)[0]["status"] != "cancelled"
