"""The short preferences link in the welcome text, through the local stack: the same page by
GET /p/{token}, the same signature, a forged one refused."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

NOW = datetime(2034, 3, 1, 9, 0, tzinfo=UTC)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_welcome_text_carries_a_short_link_to_the_preferences_page(client, stack, unique):
    client.set_clock(NOW)
    phone = "+447700900388"
    reply = client.register(
        email=f"ada-{unique}@example.org",
        timezone="Europe/London",
        channels=["email", "sms"],
        phone=phone,
        name="Ada Lovelace",
        sms_consent={"obtained_at": "2034-02-01T09:00:00Z", "method": "web form"},
    )
    assert reply.status == 201, reply
    client.set_clock(NOW + timedelta(minutes=1))
    [text] = [m for m in client.outbox() if m["channel"] == "sms" and m["to"] == phone and m["kind"] == "welcome"]
    [short] = re.findall(r"https?://\S+/p/\S+", text["body"])
    long = reply.body["preferences_url"]
    assert len(short) < len(long) - 10
    status, page = _get(short)
    assert status == 200 and "Ada" in page and "<form" in page
    status, page = _get(short[:-3] + ("AAA" if not short.endswith("AAA") else "BBB"))
    assert status == 404 and "not valid" in page
