"""Admins manage advisers and everyone manages join codes from the console (issue 25), in headless
Chromium against the local stack: an invitation mailed through SES (kind ``adviser_invitation``)
with its temporary password, the invited adviser's first sign-in and day's work, the admin pages
refused to advisers by URL and by POST, sessions ended by a disable, the CSRF token bound to its
own session, the last admin kept, join codes made, counted and revoked; each action audited.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest

from local_stack import browser
from local_stack.stack import LOCAL_ADMIN_EMAIL
from tests.e2e.test_adviser_console import (
    ADMIN_PASSWORD,
    _pool,
    all_css,
    axe_violations,
    by_css,
    fill,
    screenshot,
    session_cookie,
    sign_in,
    submit,
)
from tests.e2e.test_join import get, join_fields, post_form, verification_link

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=f"no headless Chromium: {browser.missing()}")

MIRA = "mira@example.org"
MIRA_PASSWORD = "mira-chose-this-2032"
PASSWORD_LINE = re.compile(r"temporary password[^\n]*\n(\S+)")


@pytest.fixture(scope="module")
def driver():
    with browser.chromium(1280, 1000) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def other():
    """A second browser: the invited adviser's, signed in beside the admin's."""
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
    return driver


@pytest.fixture(scope="module")
def kai(client):
    """Kai: email only, one interview Thursday 14:00 UTC that ends at 15:00; the clock after it."""
    monday = datetime(2032, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(monday)
    candidate_id = client.register(
        email="kai@example.org", name="Kai Moana", timezone="Europe/London", channels=["email"]
    ).body["candidate_id"]
    interview_id = client.book(
        "kai@example.org", "uid-kai", datetime(2032, 3, 4, 14, tzinfo=UTC), monday, name="Kai Moana"
    ).body["interview_id"]
    client.set_clock(datetime(2032, 3, 4, 15, 30, tzinfo=UTC))
    return {"candidate": candidate_id, "interview": interview_id}


def cookie_header(driver) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


def csrf_of(driver) -> str:
    """The session's CSRF token, as every page's sign-out form carries it."""
    return by_css(driver, 'header form input[name="csrf"]').get_attribute("value")


def http(stack, method: str, path: str, cookies: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode() if fields is not None else None
    request = urllib.request.Request(
        f"{stack.base_url}{path}",
        data=data,
        method=method,
        headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
    )

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(_Stay).open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def account(stack, email: str) -> dict:
    pool_id, _ = _pool(stack)
    idp = stack.aws.client("cognito-idp")
    user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=email)["Groups"]
    return {"enabled": user["Enabled"], "status": user["UserStatus"], "groups": {g["GroupName"] for g in groups}}


def row(driver, email: str):
    return by_css(driver, f'#advisers tr[data-email="{email}"]')


def audit_actions(driver, stack) -> list[tuple[str, str]]:
    driver.get(f"{stack.base_url}/console/audit")
    return [(r.get_attribute("data-action"), r.text) for r in all_css(driver, "#audit tbody tr")]


def test_an_invited_adviser_signs_in_and_records_a_rejection(stack, client, admin, other, kai):
    from selenium.webdriver.support.ui import Select

    driver = admin
    # The admin invites Mira as an adviser
    driver.get(f"{stack.base_url}/console/advisers")
    assert by_css(driver, "h1").text == "Advisers"
    fill(driver, "email", MIRA)
    Select(by_css(driver, "#role")).select_by_value("advisers")
    submit(driver, "#invite-form")
    assert "Invitation mailed." in by_css(driver, "#notice").text
    mira = row(driver, MIRA)
    assert (
        mira.get_attribute("data-role") == "advisers" and mira.get_attribute("data-status") == "FORCE_CHANGE_PASSWORD"
    )
    assert "has not signed in yet" in mira.text
    assert account(stack, MIRA) == {"enabled": True, "status": "FORCE_CHANGE_PASSWORD", "groups": {"advisers"}}
    assert axe_violations(driver) == []
    screenshot(driver, "console-advisers.png")
    # The same address again is refused beside the field, and nothing is mailed twice
    fill(driver, "email", MIRA.upper())
    submit(driver, "#invite-form")
    assert "already has an account" in by_css(driver, "#email-error").text

    # Her invitation is in the outbox: SES, kind adviser_invitation, the password and the sign-in address
    [invitation] = [m for m in client.outbox() if m["to"] == MIRA]
    assert invitation["kind"] == "adviser_invitation" and invitation["channel"] == "email"
    assert "advisers' console" in invitation["subject"]
    assert "/console/sign-in" in invitation["body"]
    password = PASSWORD_LINE.search(invitation["body"])[1]
    assert len(password) >= 12

    # She signs in with it and chooses her own password
    sign_in(other, stack, MIRA, password)
    assert by_css(other, "h1").text == "Choose your password"
    fill(other, "new_password", MIRA_PASSWORD)
    fill(other, "confirm", MIRA_PASSWORD)
    submit(other)
    assert other.current_url.endswith("/console/candidates"), other.page_source[:2000]
    assert f"{MIRA} (adviser)" in by_css(other, "header").text
    # Advisers see join codes in their menu, not the advisers page
    assert all_css(other, 'nav a[href="/console/join-codes"]')
    assert not all_css(other, 'nav a[href="/console/advisers"]')

    # She records a rejection, and the rejection reply goes out
    other.get(f"{stack.base_url}/console/candidates/{kai['candidate']}")
    form = f"#iv-{kai['interview']} form.outcome"
    Select(by_css(other, f"{form} select")).select_by_value("rejected")
    submit(other, form)
    assert "Outcome recorded: rejected." in by_css(other, "#notice").text
    client.set_clock(datetime(2032, 3, 4, 16, 0, tzinfo=UTC))
    kais = [m for m in client.outbox() if m.get("interview_id") == kai["interview"]]
    assert [m["kind"] for m in kais if m["kind"] == "rejection_reply"] == ["rejection_reply"]

    # The audit log says who invited her, and that she recorded the outcome
    actions = audit_actions(driver, stack)
    invited = [text for action, text in actions if action == "adviser_invite"]
    assert len(invited) == 1 and LOCAL_ADMIN_EMAIL in invited[0] and MIRA in invited[0]
    [outcome] = [text for action, text in actions if action == "outcome"]
    assert MIRA in outcome and "rejected" in outcome


def test_an_adviser_is_refused_every_advisers_page_and_post(stack, admin, other):
    # Mira's own session and her own valid CSRF token
    other.get(f"{stack.base_url}/console/candidates")
    mine, token = cookie_header(other), csrf_of(other)
    # By URL, the page is refused (403, in words)
    other.get(f"{stack.base_url}/console/advisers")
    assert by_css(other, "h1").text == "Not for your role"
    assert http(stack, "GET", "/console/advisers", mine)[0] == 403
    assert http(stack, "GET", f"/console/advisers/{urllib.parse.quote(LOCAL_ADMIN_EMAIL)}/remove", mine)[0] == 403
    # ...and every POST, with her valid token, changes nothing
    admin_name = urllib.parse.quote(LOCAL_ADMIN_EMAIL, safe="")
    mira_name = urllib.parse.quote(MIRA, safe="")
    tried = [
        ("/console/advisers", {"email": "eve@example.org", "role": "admins"}),
        (f"/console/advisers/{admin_name}/disable", {}),
        (f"/console/advisers/{admin_name}/remove", {}),
        (f"/console/advisers/{mira_name}/role", {"role": "admins"}),
        (f"/console/advisers/{mira_name}/invitation", {}),
    ]
    for path, fields in tried:
        status, _ = http(stack, "POST", path, mine, {**fields, "csrf": token})
        assert status == 403, path
    assert account(stack, LOCAL_ADMIN_EMAIL)["enabled"] is True
    assert account(stack, MIRA)["groups"] == {"advisers"}
    pool_id, _ = _pool(stack)
    users = stack.aws.client("cognito-idp").list_users(UserPoolId=pool_id)["Users"]
    assert "eve@example.org" not in str(users)


def test_a_post_without_its_token_or_with_another_sessions_token_changes_nothing(stack, admin, other, kai):
    other.get(f"{stack.base_url}/console/candidates")
    admin.get(f"{stack.base_url}/console/advisers")
    admins_session, miras_token = cookie_header(admin), csrf_of(other)
    mira_name = urllib.parse.quote(MIRA, safe="")
    audited = len(audit_actions(admin, stack))
    # The admin's session with no token, and with Mira's (valid, but another session's) token
    for fields in ({}, {"csrf": miras_token}, {"csrf": ""}):
        status, page = http(stack, "POST", f"/console/advisers/{mira_name}/disable", admins_session, fields)
        assert status == 403 and "Not sent" in page
        status, _ = http(stack, "POST", "/console/join-codes", admins_session, {**fields, "label": "Never made"})
        assert status == 403
        status, _ = http(
            stack,
            "POST",
            f"/console/candidates/{kai['candidate']}/erase",
            admins_session,
            {**fields, "confirm": "ERASE"},
        )
        assert status == 403
    # Nothing changed: Mira enabled, no code made, Kai still there, nothing audited
    assert account(stack, MIRA)["enabled"] is True
    admin.get(f"{stack.base_url}/console/join-codes")
    assert "Never made" not in by_css(admin, "main").text
    assert http(stack, "GET", f"/console/candidates/{kai['candidate']}", admins_session)[0] == 200
    assert len(audit_actions(admin, stack)) == audited


def test_no_admin_disables_or_removes_themselves_or_the_last_admin(stack, admin):
    driver = admin
    driver.get(f"{stack.base_url}/console/advisers")
    me = row(driver, LOCAL_ADMIN_EMAIL)
    assert "(you)" in me.text
    submit(driver, f'#advisers tr[data-email="{LOCAL_ADMIN_EMAIL}"] form[action$="/disable"]')
    error = row(driver, LOCAL_ADMIN_EMAIL).find_element("css selector", ".error")
    assert "cannot disable your own account" in error.text
    assert axe_violations(driver) == []
    driver.get(f"{stack.base_url}/console/advisers/{urllib.parse.quote(LOCAL_ADMIN_EMAIL, safe='')}/remove")
    submit(driver)
    assert "cannot remove your own account" in by_css(driver, "#remove-error").text
    assert account(stack, LOCAL_ADMIN_EMAIL) == {"enabled": True, "status": "CONFIRMED", "groups": {"admins"}}


def test_a_disabled_advisers_session_stops_working_and_enabling_lets_them_back(stack, admin, other):
    # Mira is signed in
    other.get(f"{stack.base_url}/console/candidates")
    assert other.current_url.endswith("/console/candidates")
    before = session_cookie(other)["value"]
    # The admin disables her
    admin.get(f"{stack.base_url}/console/advisers")
    submit(admin, f'#advisers tr[data-email="{MIRA}"] form[action$="/disable"]')
    assert "disabled and signed out everywhere" in by_css(admin, "#notice").text
    assert row(admin, MIRA).get_attribute("data-enabled") == "no"
    # Her open session is no session any more, and she cannot sign in again
    other.get(f"{stack.base_url}/console/candidates")
    assert other.current_url.endswith("/console/sign-in")
    assert http(stack, "GET", "/console/candidates", f"nudges_console={before}")[0] == 303
    sign_in(other, stack, MIRA, MIRA_PASSWORD)
    assert session_cookie(other) is None
    # Enabled again, she signs in
    submit(admin, f'#advisers tr[data-email="{MIRA}"] form[action$="/enable"]')
    assert row(admin, MIRA).get_attribute("data-enabled") == "yes"
    sign_in(other, stack, MIRA, MIRA_PASSWORD)
    assert other.current_url.endswith("/console/candidates")
    actions = [a for a, _ in audit_actions(admin, stack)]
    assert actions[:2] == ["adviser_enable", "adviser_disable"]


def test_a_role_change_and_a_removal_end_the_sessions(stack, admin, other):
    from selenium.webdriver.support.ui import Select

    # Promoted to admin, Mira's session ends; signed in again she is an admin
    admin.get(f"{stack.base_url}/console/advisers")
    form = f'#advisers tr[data-email="{MIRA}"] form[action$="/role"]'
    Select(by_css(admin, f"{form} select")).select_by_value("admins")
    submit(admin, form)
    assert row(admin, MIRA).get_attribute("data-role") == "admins"
    other.get(f"{stack.base_url}/console/candidates")
    assert other.current_url.endswith("/console/sign-in")
    sign_in(other, stack, MIRA, MIRA_PASSWORD)
    assert f"{MIRA} (admin)" in by_css(other, "header").text
    # Removed (after the confirmation page), her session ends and the pool no longer has her
    admin.get(f"{stack.base_url}/console/advisers")
    row(admin, MIRA).find_element("link text", "Remove…").click()
    assert by_css(admin, "h1").text == f"Remove {MIRA}?"
    assert axe_violations(admin) == []
    submit(admin)
    assert "removed" in by_css(admin, "#notice").text
    assert not all_css(admin, f'#advisers tr[data-email="{MIRA}"]')
    other.get(f"{stack.base_url}/console/candidates")
    assert other.current_url.endswith("/console/sign-in")
    pool_id, _ = _pool(stack)
    with pytest.raises(Exception, match="UserNotFound"):
        stack.aws.client("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=MIRA)
    actions = [a for a, _ in audit_actions(admin, stack)]
    assert actions[:2] == ["adviser_remove", "adviser_role"]


def test_join_codes_made_counted_and_revoked(stack, client, admin):
    driver = admin
    driver.get(f"{stack.base_url}/console/join-codes")
    assert by_css(driver, "h1").text == "Join codes"
    # An empty name is refused beside the field
    driver.execute_script("document.querySelector('#label').removeAttribute('required')")
    submit(driver, "#code-form")
    assert "label" in by_css(driver, "#label-error").text
    fill(driver, "label", "Spring careers fair 2032")
    submit(driver, "#code-form")
    assert "Join code created" in by_css(driver, "#notice").text
    [made] = [r for r in all_css(driver, "#join-codes tbody tr") if "Spring careers fair 2032" in r.text]
    code = made.get_attribute("data-code")
    link = made.find_element("css selector", "input.link").get_attribute("value")
    assert link.endswith(f"/join/{code}") and made.get_attribute("data-joined") == "0"
    # ...the same code the operator API lists
    assert any(c["join_code"] == code for c in client.request("GET", "/join-codes").body["join_codes"])

    # Someone signs up with it (and clicks their link): the count says 1
    url = f"{stack.base_url}/join/{code}"
    status, _, page = post_form(url, join_fields("noor@example.org"))
    assert status == 200, page[-2000:]
    assert post_form(verification_link(client, "noor@example.org"), [])[0] == 200
    driver.get(f"{stack.base_url}/console/join-codes")
    made = by_css(driver, f'#join-codes tr[data-code="{code}"]')
    assert made.get_attribute("data-joined") == "1"
    assert axe_violations(driver) == []
    screenshot(driver, "console-join-codes.png")

    # Revoked after the confirmation page: its sign-up page answers 404, Noor stays registered
    made.find_element("link text", "Revoke…").click()
    assert by_css(driver, "h1").text == f"Revoke the join code {code}?"
    assert "The 1 candidate who joined with it stays registered" in by_css(driver, "main").text
    submit(driver)
    assert "Join code revoked." in by_css(driver, "#notice").text
    assert by_css(driver, f'#join-codes tr[data-code="{code}"]').get_attribute("data-active") == "no"
    assert get(url)[0] == 404
    assert client.request("GET", "/candidates?email=noor@example.org").status == 200
    actions = audit_actions(driver, stack)
    assert [a for a, _ in actions[:2]] == ["join_code_revoke", "join_code_create"]
    assert all(LOCAL_ADMIN_EMAIL in text and code in text for _, text in actions[:2])


def test_a_double_click_on_send_the_invitation_again_mails_once(stack, client, admin):
    from concurrent.futures import ThreadPoolExecutor

    noa = "noa@example.org"
    admin.get(f"{stack.base_url}/console/advisers")
    fill(admin, "email", noa)
    submit(admin, "#invite-form")
    assert "Invitation mailed." in by_css(admin, "#notice").text
    cookies, token = cookie_header(admin), csrf_of(admin)
    path = f"/console/advisers/{urllib.parse.quote(noa, safe='')}/invitation"
    # Two posts of the button at once, as a double click sends them
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: http(stack, "POST", path, cookies, {"csrf": token}), range(2)))
    assert sorted(status for status, _ in answers) == [303, 303], answers
    # What SES was asked to send: the invitation and one resend, not two resends
    assert len([e for e in stack.ses_events.sent() if noa in e.to]) == 2
    [mail] = [m for m in client.outbox() if m["to"] == noa and m["kind"] == "adviser_invitation"]  # the latest
    # The second click is told the invitation was just sent
    admin.get(f"{stack.base_url}/console/advisers?done=invited-just-now")
    assert "just sent; nothing was sent again" in by_css(admin, "#notice").text
    # The password in the last mail is the live one: Noa signs in with it
    password = PASSWORD_LINE.search(mail["body"])[1]
    pool_id, client_id = _pool(stack)
    challenge = stack.aws.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": noa, "PASSWORD": password},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    actions = [a for a, _ in audit_actions(admin, stack)]
    assert actions[:2] == ["adviser_invite_again", "adviser_invite"]


def test_two_admins_disabling_each_other_at_once_leave_one(stack, client, admin, other):
    """The stack's embedded moto applies each conditional write atomically, as DynamoDB does
    (``local_stack/moto_speedups.py``): two at once cannot both pass."""
    from concurrent.futures import ThreadPoolExecutor

    from selenium.webdriver.support.ui import Select

    # Zoe is invited as an admin and signs in
    zoe = "zoe@example.org"
    admin.get(f"{stack.base_url}/console/advisers")
    fill(admin, "email", zoe)
    Select(by_css(admin, "#role")).select_by_value("admins")
    submit(admin, "#invite-form")
    [invitation] = [m for m in client.outbox() if m["to"] == zoe]
    other.delete_all_cookies()  # whoever used the second browser before
    sign_in(other, stack, zoe, PASSWORD_LINE.search(invitation["body"])[1])
    fill(other, "new_password", "zoe-chose-this-2032")
    fill(other, "confirm", "zoe-chose-this-2032")
    submit(other)
    assert f"{zoe} (admin)" in by_css(other, "header").text
    # Each disables the other at the same instant, from their own session, with the form's action
    posts = []
    for driver, target in ((admin, zoe), (other, LOCAL_ADMIN_EMAIL)):
        driver.get(f"{stack.base_url}/console/advisers")
        action = by_css(driver, f'#advisers tr[data-email="{target}"] form[action$="/disable"]').get_attribute("action")
        posts.append((cookie_header(driver), csrf_of(driver), urllib.parse.urlsplit(action).path))

    def disable(post):
        cookies, token, path = post
        request = urllib.request.Request(
            f"{stack.base_url}{path}",
            data=urllib.parse.urlencode({"csrf": token}).encode(),
            method="POST",
            headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
        )

        class _Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            with urllib.request.build_opener(_Stay).open(request, timeout=60) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    with ThreadPoolExecutor(2) as threads:
        answers = list(threads.map(disable, posts))
    # Exactly one went through; the other was refused: by the roster or the pool's count (400,
    # beside its button), or, arriving after the first had ended its session, sent to sign in.
    done = [a for a in answers if a[0] == 303 and a[1].endswith("?done=disabled")]
    refused = [a for a in answers if a not in done]
    assert len(done) == 1 and len(refused) == 1, [(s, where) for s, where, _ in answers]
    status, where, page = refused[0]
    assert (status == 400 and ("at least one admin must remain" in page or "this is the last admin" in page)) or (
        status == 303 and where.endswith("/console/sign-in")
    ), (status, where)
    enabled_admins = [e for e in (LOCAL_ADMIN_EMAIL, zoe) if account(stack, e)["enabled"]]
    assert len(enabled_admins) == 1
    # The one left enables the other again (the stack as the module found it)
    survivor = admin if enabled_admins == [LOCAL_ADMIN_EMAIL] else other
    disabled = zoe if survivor is admin else LOCAL_ADMIN_EMAIL
    survivor.get(f"{stack.base_url}/console/advisers")
    submit(survivor, f'#advisers tr[data-email="{disabled}"] form[action$="/enable"]')
    assert account(stack, LOCAL_ADMIN_EMAIL)["enabled"] and account(stack, zoe)["enabled"]
