"""Every candidate page as a phone shows it (headless Chromium at 390 px wide, no JavaScript of
ours): a candidate given only a join link signs up, confirms, adds an interview, changes it, says
how it went; each page is checked by axe-core (WCAG 2.2 AA rules) for serious or critical
violations, searched for internals (an ARN, a 12-digit account id, a file path, a trace) and
screenshotted into docs/pages/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from local_stack import browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "pages"
NOW = datetime(2036, 5, 4, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in London
INTERNALS = re.compile(r"arn:aws|(?<![+\d])\d{12}\b|Traceback|/(?:var|tmp|work|home|opt|usr)/|\.py\b|docs/")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def driver():
    if browser.missing():
        pytest.skip(f"no headless Chromium: {browser.missing()}")
    with browser.chromium(390, 844) as chromium:
        yield chromium


def settle(driver) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit(driver, css: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    button = driver.find_element(By.CSS_SELECTOR, css)
    button.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(button))
    settle(driver)


def check(driver, name: str) -> None:
    """No serious accessibility violation, no internals; then the screenshot at 390 px."""
    from axe_selenium_python import Axe

    settle(driver)
    source = driver.page_source
    assert not INTERNALS.search(re.sub(r"<style>.*?</style>", "", source, flags=re.S)), name
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {axe.report(serious)}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(390, max(844, min(int(height) + 40, 4000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(390, 844)


def test_a_candidate_with_only_a_join_link_on_a_phone(client, driver, unique):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    client.set_clock(NOW)
    code = client.request("POST", "/join-codes", {"label": "Careers fair, May 2036"}).body

    # The join page
    driver.get(code["url"])
    check(driver, "join")

    # A mistyped number: the form again, the message beside the field, the input kept
    email = f"phone.{unique}@example.org"
    driver.find_element(By.ID, "name").send_keys("Grace Hopper")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "channels-sms").click()
    driver.find_element(By.ID, "phone").send_keys("12")
    submit(driver, "#submit")
    assert driver.find_element(By.ID, "phone-error").is_displayed()
    assert driver.find_element(By.ID, "email").get_attribute("value") == email
    check(driver, "join-refused")

    phone = driver.find_element(By.ID, "phone")
    phone.clear()
    phone.send_keys("07700 900 456")
    driver.find_element(By.ID, "consent_sms-on").click()
    submit(driver, "#submit")
    assert "Check your inbox" in driver.page_source
    check(driver, "join-sent")

    [mail] = [m for m in client.outbox() if m["to"] == email and m["kind"] == "verification"]
    link = re.search(r"https?://\S+/join/verify/[\w-]+", mail["body"])[0]
    driver.get(link)
    check(driver, "verify")
    submit(driver, "#confirm")
    assert "You are signed up" in driver.page_source
    check(driver, "verified")
    preferences_url = driver.find_element(By.CSS_SELECTOR, "a.button").get_attribute("href")
    candidate = client.request("GET", f"/candidates?email={email}").body
    assert candidate["phone"] == "+447700900456" and candidate["sms_consent"]["method"] == "web_form"

    # Adding an interview no calendar carries
    driver.get(candidate["add_interview_url"])
    check(driver, "interview-new")
    for field, value in (
        ("company", "Acme Robotics"),
        ("role", "Data Analyst"),
        ("interviewer_name_1", "Priya Raman"),
        ("interviewer_email_1", "priya@acme-robotics.example"),
        ("interviewer_name_2", "Sam Lee"),
    ):
        driver.find_element(By.ID, field).send_keys(value)
    driver.execute_script(
        "document.getElementById('date').value = '2036-05-07'; document.getElementById('time').value = '14:00';"
    )
    submit(driver, "#submit")
    assert "The interview is added" in driver.page_source
    check(driver, "preferences")

    [interview] = client.interviews(candidate["candidate_id"])
    driver.find_element(By.LINK_TEXT, "Change or cancel").click()
    settle(driver)
    assert f"/interviews/{interview['interview_id']}/edit/" in driver.current_url
    check(driver, "interview-edit")

    # A refused preferences change keeps the form
    driver.get(preferences_url)
    for box in driver.find_elements(By.CSS_SELECTOR, 'input[name="channels"]:checked'):
        box.click()
    Select(driver.find_element(By.ID, "timezone")).select_by_value("Asia/Tokyo")
    submit(driver, "#save")
    assert driver.find_element(By.ID, "channels-error").is_displayed()
    check(driver, "preferences-refused")

    # Saying how it went
    driver.get(preferences_url)
    driver.find_element(By.LINK_TEXT, "Tell us how it went").click()
    settle(driver)
    check(driver, "outcome")
    driver.find_element(By.ID, "outcome-offer").click()
    submit(driver, "#submit")
    assert "Congratulations" in driver.page_source
    check(driver, "outcome-done")

    # A link that is not valid: the one error page
    driver.get(code["url"].replace(code["join_code"], "nosuchcode"))
    check(driver, "error-404")
