"""A candidate changes their own email on their preferences page, in headless Chromium at a
phone's width (issue 28): a taken address is refused beside the field with the input kept; a new
one gets a link (nothing changes before its click); the link's page confirms with one button,
then the address is changed and the old one told; the link works once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.e2e.test_candidate_pages_browser import check, driver, settle, submit

__all__ = ["driver"]  # the module's Chromium, shared with the other candidate pages' tests

NOW = datetime(2036, 6, 2, 9, 0, tzinfo=UTC)


def test_a_candidate_changes_their_email_on_their_phone(client, driver, unique):
    from selenium.webdriver.common.by import By

    client.set_clock(NOW)
    old, new = f"lin.{unique}@uni.example", f"lin.{unique}@work.example"
    taken = f"taken.{unique}@example.org"
    lin = client.register(email=old, timezone="Europe/London", channels=["email"], name="Lin Chen").body
    assert client.register(email=taken, timezone="Europe/London", channels=["email"]).status == 201

    driver.get(lin["preferences_url"])
    settle(driver)
    field = driver.find_element(By.ID, "new_email")
    field.send_keys(taken)
    submit(driver, "#change-email")
    assert driver.find_element(By.ID, "email-error").text == "Another registration uses this address."
    assert driver.find_element(By.ID, "new_email").get_attribute("value") == taken
    assert driver.find_element(By.ID, "new_email").get_attribute("aria-invalid") == "true"
    check(driver, "preferences-email-refused")

    field = driver.find_element(By.ID, "new_email")
    field.clear()
    field.send_keys(new)
    submit(driver, "#change-email")
    assert "We have emailed a link to your new address" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    candidate = client.request("GET", f"/candidates/{lin['candidate_id']}").body
    assert candidate["email"] == old  # nothing changes before the click

    [mail] = [m for m in client.outbox() if m["to"] == new and m["kind"] == "verification"]
    link = re.search(r"https?://\S+/email/verify/[\w-]+", mail["body"])[0]
    driver.get(link)
    check(driver, "email-verify")
    assert new in driver.find_element(By.TAG_NAME, "main").text or new in driver.page_source
    assert client.request("GET", f"/candidates/{lin['candidate_id']}").body["email"] == old  # a GET changes nothing
    submit(driver, "#confirm")
    assert new in driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    check(driver, "email-verified")
    assert client.request("GET", f"/candidates/{lin['candidate_id']}").body["email"] == new
    notices = [m for m in client.outbox() if m["to"] == old and m["kind"] == "email_changed"]
    assert len(notices) == 1 and new in notices[0]["body"]

    # The link works once.
    driver.get(link)
    settle(driver)
    assert "This link has expired" in driver.page_source
    assert client.request("GET", f"/candidates/{lin['candidate_id']}").body["email"] == new
