"""The advisers' console (GET /console) in headless Chromium against the local stack, signed
in through the stack's Cognito pool (moto serves the pool, its users, tokens and keys).

Chromium treats http://127.0.0.1 as a secure context, so it keeps and sends the console's
Secure cookies there as it would over HTTPS (the first test checks that it does).
"""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from local_stack import browser
from local_stack.stack import LOCAL_ADMIN_EMAIL

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=f"no headless Chromium: {browser.missing()}")

DOCS = Path(__file__).resolve().parents[2] / "docs"
ADMIN_PASSWORD = "chosen-by-the-admin-2031"
SESSION_COOKIE = "nudges_console"


@pytest.fixture(scope="module")
def driver():
    with browser.chromium(1280, 1000) as chromium:
        yield chromium


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def submit(driver, form_selector="main form"):
    """Submit a form and wait for the page it leads to."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    form = by_css(driver, form_selector)
    form.find_element("css selector", "button[type=submit]").click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(form))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def fill(driver, field_id, value):
    element = by_css(driver, f"#{field_id}")
    element.clear()
    element.send_keys(value)


def sign_in(driver, stack, email, password):
    driver.get(f"{stack.base_url}/console/sign-in")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver)


def signed_in_admin(driver, stack):
    """Signed in as the local admin (who chose their password in the first test)."""
    driver.get(f"{stack.base_url}/console/candidates")
    if driver.current_url.endswith("/console/candidates"):
        return
    sign_in(driver, stack, LOCAL_ADMIN_EMAIL, ADMIN_PASSWORD)
    assert driver.current_url.endswith("/console/candidates"), driver.page_source[:2000]


def axe_violations(driver):
    """axe-core's WCAG 2.x A/AA violations on the page (axe-selenium-python ships axe)."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


def screenshot(driver, name):
    """The whole page, into docs/ (the README and docs/operations.md show them)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(800, min(int(height) + 140, 2400)))
    driver.save_screenshot(str(DOCS / name))
    driver.set_window_size(1280, 1000)


def session_cookie(driver):
    return next((c for c in driver.get_cookies() if c["name"] == SESSION_COOKIE), None)


def test_the_local_admin_signs_in_with_a_new_password(stack, driver):
    # Given the local stack's admin and the temporary password it printed at start
    assert stack.admin_password, "the stack reports the admin's temporary password"
    # When an unsigned browser asks for the console, it is sent to the sign-in page
    driver.get(f"{stack.base_url}/console")
    assert driver.current_url.endswith("/console/sign-in")
    assert axe_violations(driver) == []
    screenshot(driver, "console-sign-in.png")
    # And a wrong password is refused, beside the field, and nothing else happens
    sign_in(driver, stack, LOCAL_ADMIN_EMAIL, "not-the-password-1")
    assert "The email address or password is not right." in by_css(driver, "#email-error").text
    assert session_cookie(driver) is None
    # When the admin signs in with the temporary password, the pool asks for a new one
    sign_in(driver, stack, LOCAL_ADMIN_EMAIL, stack.admin_password)
    assert by_css(driver, "h1").text == "Choose your password"
    assert axe_violations(driver) == []
    # A password the pool's policy refuses is said so, and the admin may try again
    fill(driver, "new_password", "short")
    fill(driver, "confirm", "short")
    by_css(driver, "#new_password").get_attribute("minlength")
    driver.execute_script("document.querySelectorAll('input[minlength]').forEach(i => i.removeAttribute('minlength'))")
    submit(driver)
    assert "does not meet the rules" in by_css(driver, "#new_password-error").text
    fill(driver, "new_password", ADMIN_PASSWORD)
    fill(driver, "confirm", ADMIN_PASSWORD)
    submit(driver)
    # Then the admin is signed in, on the candidates page, with a Secure, HttpOnly, Lax cookie
    assert driver.current_url.endswith("/console/candidates"), driver.page_source[:2000]
    assert LOCAL_ADMIN_EMAIL in by_css(driver, "header").text and "(admin)" in by_css(driver, "header").text
    cookie = session_cookie(driver)
    assert cookie and cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # ...and the local stack's clock and outbox panels are linked from the console
    assert by_css(driver, 'nav a[href="/_local/console"]')


# ---------------------------------------------------------------- tokens the console refuses
def _pool(stack):
    return str(stack.template.ref("AdviserPool")), str(stack.template.ref("ConsoleClient"))


def _admin_sub(stack):
    pool_id, _ = _pool(stack)
    user = stack.aws.client("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=LOCAL_ADMIN_EMAIL)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def _sign(claims, key, kid="dummy"):
    import jwt

    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _moto_key():
    """The key moto signs every pool's tokens with (public in moto's package)."""
    import jwt
    from moto.utilities.utils import load_resource

    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def _claims(stack, sub, client_id, *, exp, pool_id=None):
    pool_id = pool_id or _pool(stack)[0]
    now = int(time.time())
    iss = f"https://cognito-idp.{stack.aws.region}.amazonaws.com/{pool_id}"
    base = {"iss": iss, "sub": sub, "iat": now - 60, "auth_time": now - 60, "exp": exp, "jti": f"j{now}"}
    access = {**base, "token_use": "access", "client_id": client_id, "cognito:groups": ["admins"]}
    identity = {**base, "token_use": "id", "aud": client_id, "email": LOCAL_ADMIN_EMAIL}
    return access, identity


def _plant_session(stack, access_token, id_token, sub):
    """A session item holding these tokens, as if a sign-in had stored them; its cookie value."""
    from nudges.adapters.adviser_pool import Tokens
    from nudges.adapters.console_sessions import ConsoleSessions

    sessions = ConsoleSessions(stack.aws.client("dynamodb"), str(stack.controls.send_record_table()[0]))
    return sessions.create(sub, Tokens(access_token, id_token, None), int(time.time()) + 3600).session_id


def _with_cookie(driver, stack, value):
    driver.get(f"{stack.base_url}/console/sign-in")
    driver.delete_all_cookies()
    driver.add_cookie({"name": SESSION_COOKIE, "value": value, "path": "/console", "secure": True, "httpOnly": True})
    driver.get(f"{stack.base_url}/console/candidates")
    return driver.current_url


def _tokens_for(stack, pool_id, client_id, email, password):
    idp = stack.aws.client("cognito-idp")
    answer = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result = answer["AuthenticationResult"]
    return result["AccessToken"], result["IdToken"]


def test_forged_expired_and_other_client_tokens_are_refused(stack, driver):
    from cryptography.hazmat.primitives.asymmetric import rsa

    signed_in_admin(driver, stack)  # the admin has chosen their password
    pool_id, client_id = _pool(stack)
    sub = _admin_sub(stack)
    hour = int(time.time()) + 3600

    # A well-formed session with the pool's own tokens is accepted (the planting itself works)
    good = _tokens_for(stack, pool_id, client_id, LOCAL_ADMIN_EMAIL, ADMIN_PASSWORD)
    assert _with_cookie(driver, stack, _plant_session(stack, *good, sub)).endswith("/console/candidates")

    # Forged: the right claims, signed with a key the pool never published
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    access, identity = _claims(stack, sub, client_id, exp=hour)
    forged = _plant_session(stack, _sign(access, forger), _sign(identity, forger), sub)
    assert _with_cookie(driver, stack, forged).endswith("/console/sign-in")

    # Expired: signed with the pool's own key, right issuer and client, an hour past its expiry
    access, identity = _claims(stack, sub, client_id, exp=int(time.time()) - 3600)
    expired = _plant_session(stack, _sign(access, _moto_key()), _sign(identity, _moto_key()), sub)
    assert _with_cookie(driver, stack, expired).endswith("/console/sign-in")

    # Another app client of the same pool: real tokens, but not the console's
    other = stack.aws.client("cognito-idp").create_user_pool_client(
        UserPoolId=pool_id, ClientName="not-the-console", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    tokens = _tokens_for(stack, pool_id, other, LOCAL_ADMIN_EMAIL, ADMIN_PASSWORD)
    assert _with_cookie(driver, stack, _plant_session(stack, *tokens, sub)).endswith("/console/sign-in")

    # Another pool (moto signs every pool with the same key: only the issuer tells them apart)
    idp = stack.aws.client("cognito-idp")
    elsewhere = idp.create_user_pool(PoolName="some-other-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    access, identity = _claims(stack, sub, client_id, exp=hour, pool_id=elsewhere)
    foreign = _plant_session(stack, _sign(access, _moto_key()), _sign(identity, _moto_key()), sub)
    assert _with_cookie(driver, stack, foreign).endswith("/console/sign-in")

    # A made-up session id is no session either
    assert _with_cookie(driver, stack, "made-up-session-id").endswith("/console/sign-in")


def test_a_session_after_sign_out_is_refused(stack, driver):
    driver.delete_all_cookies()
    signed_in_admin(driver, stack)
    before = session_cookie(driver)["value"]
    # When the admin signs out
    submit(driver, 'header form[action="/console/sign-out"]')
    assert driver.current_url.endswith("/console/sign-in?out=1")
    assert "You are signed out." in by_css(driver, "main").text
    assert session_cookie(driver) is None
    # Then the old session's cookie, sent again, is no session
    assert _with_cookie(driver, stack, before).endswith("/console/sign-in")


def test_a_form_without_its_csrf_token_changes_nothing(stack, driver):
    driver.delete_all_cookies()
    signed_in_admin(driver, stack)
    driver.get(f"{stack.base_url}/console/settings")
    from selenium.webdriver.support.ui import Select

    Select(by_css(driver, "#timezone")).select_by_value("Asia/Tokyo")
    driver.execute_script("document.querySelector('main form input[name=csrf]').value = 'not-the-token'")
    submit(driver)
    assert "Not sent" in by_css(driver, "h1").text
    driver.get(f"{stack.base_url}/console/settings")
    assert Select(by_css(driver, "#timezone")).first_selected_option.get_attribute("value") == "UTC"


# ---------------------------------------------------------------- what advisers see
@pytest.fixture(scope="module")
def roster(stack, client):
    """Three candidates, registered Monday 09:00 UTC 2031-03-03: Grace (email and SMS, no
    consent to texts yet) with a Cal.com interview on Thursday; Bob (email, bounced); Ada
    (email, paused). The clock then moves past Grace's research prompt."""
    monday = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
    client.set_clock(monday)
    grace = client.register(
        email="grace@example.org",
        name="Grace Hopper",
        timezone="America/New_York",
        channels=["email", "sms"],
        phone="+12025550143",
        sms_consent=None,  # the welcome asks for a YES
    ).body["candidate_id"]
    interview = client.book(
        "grace@example.org", "uid-grace", datetime(2031, 3, 6, 14, tzinfo=UTC), monday, name="Grace Hopper"
    ).body["interview_id"]
    bob = client.register(email="bob@example.org", name="Bob Byte", timezone="Europe/London", channels=["email"])
    client.request("POST", "/_local/email-event", {"type": "bounce", "to": "bob@example.org"})
    ada = client.register(email="ada@example.org", name="Ada Lovelace", timezone="Europe/London", channels=["email"])
    ada_id = ada.body["candidate_id"]
    patched = client.request("PATCH", f"/candidates/{ada_id}", {"paused": True})
    assert patched.status == 200, patched
    client.set_clock(datetime(2031, 3, 5, 9, 0, tzinfo=UTC))  # past Tuesday's research prompt
    return {"grace": grace, "bob": bob.body["candidate_id"], "ada": ada_id, "interview": interview}


def rows(driver):
    return {r.get_attribute("data-candidate"): r for r in all_css(driver, "tbody tr[data-candidate]")}


def test_an_adviser_finds_the_unreachable_by_filter_and_sees_why(stack, driver, roster):
    from selenium.webdriver.support.ui import Select

    driver.delete_all_cookies()
    signed_in_admin(driver, stack)
    # Every candidate, newest first, with each channel's reachability in words
    shown = rows(driver)
    assert {roster["grace"], roster["bob"], roster["ada"]} <= set(shown)
    assert "sms: has not replied YES to texts yet" in shown[roster["grace"]].text
    assert "email: email bounced" in shown[roster["bob"]].text
    assert "email: paused all nudges" in shown[roster["ada"]].text
    assert axe_violations(driver) == []
    screenshot(driver, "console-candidates.png")

    # When the adviser shows only the unreachable
    Select(by_css(driver, "#filter")).select_by_value("unreachable")
    submit(driver)
    assert set(rows(driver)) >= {roster["grace"], roster["bob"], roster["ada"]}
    # ...only those whose email bounced
    Select(by_css(driver, "#filter")).select_by_value("bounced")
    submit(driver)
    assert set(rows(driver)) == {roster["bob"]}
    # ...only those awaiting consent to texts, and only the paused
    Select(by_css(driver, "#filter")).select_by_value("awaiting_consent")
    submit(driver)
    assert set(rows(driver)) == {roster["grace"]}
    Select(by_css(driver, "#filter")).select_by_value("paused")
    submit(driver)
    assert set(rows(driver)) == {roster["ada"]}
    # A search by name or by address finds one candidate
    Select(by_css(driver, "#filter")).select_by_value("")
    fill(driver, "q", "hopper")
    submit(driver)
    assert set(rows(driver)) == {roster["grace"]}
    fill(driver, "q", "BOB@example.org")
    submit(driver)
    assert set(rows(driver)) == {roster["bob"]}


def test_a_candidates_page_shows_the_skipped_sms_and_why(stack, driver, roster):
    from selenium.webdriver.support.ui import Select

    driver.delete_all_cookies()
    signed_in_admin(driver, stack)
    # The adviser works in New York: times show there
    driver.get(f"{stack.base_url}/console/settings")
    Select(by_css(driver, "#timezone")).select_by_value("America/New_York")
    submit(driver)
    assert "Saved." in by_css(driver, "main").text

    # Grace texts HELP: the answer is in her message log, as a keyword reply
    answered = urllib.request.Request(
        f"{stack.base_url}/_local/sms",
        data=json.dumps({"from": "+12025550143", "body": "help"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(answered, timeout=60).close()
    log = json.loads(
        urllib.request.urlopen(f"{stack.base_url}/candidates/{roster['grace']}/messages", timeout=30).read()
    )
    assert [m["channel"] for m in log if m["kind"] == "sms_reply"] == ["sms"]

    driver.get(f"{stack.base_url}/console/candidates/{roster['grace']}")
    assert by_css(driver, "h1").text == "Grace Hopper"
    replies = all_css(driver, 'section[aria-labelledby="log"] tbody tr[data-kind="sms_reply"]')
    assert len(replies) == 1 and "Reply to a text" in replies[0].text
    reach = by_css(driver, '#reachability li[data-channel="sms"]')
    assert reach.get_attribute("data-reason") == "awaiting_sms_consent"
    assert "has not replied YES to texts yet" in reach.text
    # The welcome went on both channels (by SMS it asks for the YES)
    welcome = by_css(driver, '#welcome tr.nudge[data-kind="welcome"]')
    assert welcome.get_attribute("data-status") == "sent"
    assert {li.get_attribute("data-channel") for li in welcome.find_elements("css selector", "li")} == {"email", "sms"}
    # The research prompt went by email and was skipped by SMS, with the reason
    row = by_css(driver, f'#iv-{roster["interview"]} tr.nudge[data-kind="research_prompt"]')
    assert row.get_attribute("data-status") == "sent"
    email = row.find_element("css selector", 'li[data-channel="email"]')
    sms = row.find_element("css selector", 'li[data-channel="sms"]')
    assert (
        email.get_attribute("data-status") == "sent" and "2031" in email.text and "EST" in email.text
    )  # New York time
    assert sms.get_attribute("data-status") == "skipped" and "has not replied YES to texts yet" in sms.text
    # ...as the operator API says
    timeline = json.loads(
        urllib.request.urlopen(f"{stack.base_url}/candidates/{roster['grace']}/interviews", timeout=30).read()
    )
    [research] = [n for n in timeline[0]["nudges"] if n["kind"] == "research_prompt"]
    assert research["channels"]["sms"] == {"status": "skipped", "reason": "awaiting_sms_consent"}
    assert research["channels"]["email"]["status"] == "sent"
    # The message log, with each message's delivery status, in the adviser's zone
    logged = all_css(driver, 'section[aria-labelledby="log"] tbody tr')
    assert any(
        r.get_attribute("data-kind") == "research_prompt" and r.get_attribute("data-channel") == "email" for r in logged
    )
    assert axe_violations(driver) == []
    screenshot(driver, "console-candidate.png")


def test_an_unknown_candidate_is_a_plain_404_page(stack, driver):
    driver.delete_all_cookies()
    signed_in_admin(driver, stack)
    driver.get(f"{stack.base_url}/console/candidates/c_nobody")
    assert by_css(driver, "h1").text == "Not found"
    text = by_css(driver, "main").text
    assert "arn:aws" not in text and "Traceback" not in text and "no candidate c_nobody" in text


def test_an_account_in_neither_group_cannot_sign_in(stack, driver):
    # Given a pool user who is neither an admin nor an adviser
    pool_id, _ = _pool(stack)
    idp = stack.aws.client("cognito-idp")
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="visitor@example.org",
        UserAttributes=[{"Name": "email", "Value": "visitor@example.org"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="visitor@example.org", Password="visitor-password-1", Permanent=True
    )
    driver.delete_all_cookies()
    # When they sign in with the right password, the console refuses them, and makes no session
    sign_in(driver, stack, "visitor@example.org", "visitor-password-1")
    assert "not an adviser or an admin" in by_css(driver, "#email-error").text
    assert session_cookie(driver) is None
