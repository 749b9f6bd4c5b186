"""The advisers' console (GET /console) in headless Chromium against the local stack, signed
in through the stack's Cognito pool (moto serves the pool, its users, tokens and keys).

Chromium treats http://127.0.0.1 as a secure context, so it keeps and sends the console's
Secure cookies there as it would over HTTPS (the first test checks that it does).
"""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
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


def session_cookie(driver):
    return next((c for c in driver.get_cookies() if c["name"] == SESSION_COOKIE), None)


def test_the_local_admin_signs_in_with_a_new_password(stack, driver):
    # Given the local stack's admin and the temporary password it printed at start
    assert stack.admin_password, "the stack reports the admin's temporary password"
    # When an unsigned browser asks for the console, it is sent to the sign-in page
    driver.get(f"{stack.base_url}/console")
    assert driver.current_url.endswith("/console/sign-in")
    assert axe_violations(driver) == []
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
