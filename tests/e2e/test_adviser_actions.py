"""Advisers act from the console (issue 25): record an outcome, resend the consent request,
erase; every action in the audit log with who did it. In headless Chromium against the local
stack, signed in as the local admin through the stack's Cognito pool.
"""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from local_stack import browser
from local_stack.stack import LOCAL_ADMIN_EMAIL
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
    return _admin_sub(stack)


@pytest.fixture(scope="module")
def lin(client):
    """Lin: email and SMS (no YES yet), one interview Thursday 14:00 UTC that ends at 15:00."""
    monday = datetime(2032, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(monday)
    candidate_id = client.register(
        email="lin@example.org",
        name="Lin Chen",
        timezone="Europe/London",
        channels=["email", "sms"],
        phone="+447700900611",
        sms_consent=None,
    ).body["candidate_id"]
    interview_id = client.book(
        "lin@example.org", "uid-lin", datetime(2032, 3, 4, 14, tzinfo=UTC), monday, name="Lin Chen"
    ).body["interview_id"]
    client.set_clock(datetime(2032, 3, 4, 15, 30, tzinfo=UTC))  # the interview is over
    return {"candidate": candidate_id, "interview": interview_id}


def audit_rows(driver, stack):
    driver.get(f"{stack.base_url}/console/audit")
    return all_css(driver, "#audit tbody tr")


def test_a_rejection_recorded_in_the_console_sends_the_rejection_reply(stack, client, driver, admin, lin):
    from selenium.webdriver.support.ui import Select

    driver.get(f"{stack.base_url}/console/candidates/{lin['candidate']}")
    form = f"#iv-{lin['interview']} form.outcome"
    Select(by_css(driver, f"{form} select")).select_by_value("rejected")
    submit(driver, form)
    assert "Outcome recorded: rejected." in by_css(driver, "#notice").text
    assert axe_violations(driver) == []
    screenshot(driver, "console-candidate-actions.png")
    # When the clock moves on, the rejection reply is in the outbox, and no thank-you
    client.set_clock(datetime(2032, 3, 4, 16, 0, tzinfo=UTC))
    mine = [m for m in client.outbox() if m.get("interview_id") == lin["interview"]]
    assert {m["channel"] for m in mine if m["kind"] == "rejection_reply"} >= {"email"}
    assert not [m for m in mine if m["kind"] == "thank_you"]
    # ...and the API says the same outcome
    timeline = client.interviews(lin["candidate"])
    nudges = {n["kind"]: n for n in timeline[0]["nudges"]}
    assert nudges["rejection_reply"]["status"] == "sent"


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(stack, client, driver, admin, lin):
    before = len(client.outbox())
    entries = len(audit_rows(driver, stack))
    driver.get(f"{stack.base_url}/console/candidates/{lin['candidate']}")
    driver.execute_script(
        "document.querySelector('form[action$=\"/consent-request\"] input[name=csrf]').value = 'not-the-token'"
    )
    submit(driver, 'form[action$="/consent-request"]')
    assert "Not sent" in by_css(driver, "h1").text
    # ...and with no token at all, from outside the page
    answer = urllib.request.Request(
        f"{stack.base_url}/console/candidates/{lin['candidate']}/erase",
        data=b"confirm=ERASE",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(driver)},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(answer, timeout=30)
    assert refused.value.code == 403
    # Nothing sent, nothing erased, nothing audited
    assert len(client.outbox()) == before
    assert client.request("GET", f"/candidates/{lin['candidate']}").status == 200
    assert len(audit_rows(driver, stack)) == entries


def _cookie_header(driver):
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


def test_a_consent_request_resent_from_the_console(stack, client, driver, admin, lin):
    before = [m for m in client.outbox() if m.get("to") == "+447700900611" and m["kind"] == "consent_request"]
    driver.get(f"{stack.base_url}/console/candidates/{lin['candidate']}")
    submit(driver, 'form[action$="/consent-request"]')
    assert "Consent request sent again." in by_css(driver, "#notice").text
    after = [m for m in client.outbox() if m.get("to") == "+447700900611" and m["kind"] == "consent_request"]
    assert len(after) == len(before) + 1


def test_an_erasure_needs_its_confirmation_and_keeps_the_audit_without_the_email(stack, client, driver, admin, lin):
    driver.get(f"{stack.base_url}/console/candidates/{lin['candidate']}")
    # A wrong confirmation: said beside the field, nothing erased
    fill(driver, "confirm", "erase please")
    submit(driver, 'form[action$="/erase"]')
    assert "type ERASE" in by_css(driver, "#confirm-error").text
    assert client.request("GET", f"/candidates/{lin['candidate']}").status == 200
    # Before: the audit entries about Lin name her email
    assert any("lin@example.org" in r.text for r in audit_rows(driver, stack))
    # When the adviser types ERASE
    driver.get(f"{stack.base_url}/console/candidates/{lin['candidate']}")
    fill(driver, "confirm", "ERASE")
    submit(driver, 'form[action$="/erase"]')
    assert "Candidate erased." in by_css(driver, "#notice").text
    assert client.request("GET", f"/candidates/{lin['candidate']}").status == 404
    # Then every action is in the audit log, with who did it, under Lin's id and without her email
    rows = audit_rows(driver, stack)
    assert axe_violations(driver) == []
    screenshot(driver, "console-audit.png")
    mine = [r for r in rows if r.get_attribute("data-candidate") == lin["candidate"]]
    assert [r.get_attribute("data-action") for r in mine] == ["erase", "consent_request", "outcome"]
    for row in mine:
        assert LOCAL_ADMIN_EMAIL in row.text and admin in row.text
        assert "lin@example.org" not in row.text
    assert lin["interview"] in mine[2].text and "rejected" in mine[2].text
    assert "lin@example.org" not in by_css(driver, "main").text
    # The CSV export says the same
    request = urllib.request.Request(f"{stack.base_url}/console/audit.csv", headers={"Cookie": _cookie_header(driver)})
    exported = list(csv.DictReader(io.StringIO(urllib.request.urlopen(request, timeout=30).read().decode())))
    lins = [x for x in exported if x["candidate_id"] == lin["candidate"]]
    assert [x["action"] for x in lins] == ["erase", "consent_request", "outcome"]
    assert all(x["adviser_email"] == LOCAL_ADMIN_EMAIL and x["candidate_email"] == "" for x in lins)


def test_an_adviser_cannot_read_the_audit_log(stack, driver, admin):
    from tests.e2e.test_adviser_console import _pool

    # Given an adviser (not an admin)
    pool_id, _ = _pool(stack)
    idp = stack.aws.client("cognito-idp")
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="adviser@example.org",
        UserAttributes=[{"Name": "email", "Value": "adviser@example.org"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="adviser@example.org", Password="adviser-password-1", Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="adviser@example.org", GroupName="advisers")
    driver.delete_all_cookies()
    sign_in(driver, stack, "adviser@example.org", "adviser-password-1")
    assert driver.current_url.endswith("/console/candidates"), driver.page_source[:2000]
    # The audit log is not in their menu, and by URL it is refused, page and CSV alike
    assert not all_css(driver, 'nav a[href="/console/audit"]')
    driver.get(f"{stack.base_url}/console/audit")
    assert by_css(driver, "h1").text == "Not for your role"
    request = urllib.request.Request(f"{stack.base_url}/console/audit.csv", headers={"Cookie": _cookie_header(driver)})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
