"""Matching keys and the outcome signatures, without any AWS."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from nudges.domain.interview import application_id_for, company_key
from nudges.domain.plan import NudgeTimings, plan_connect_nudge
from nudges.errors import Unauthorized
from nudges.signatures import require_timestamped_signature, split_algorithm_signature

NOW = datetime(2031, 3, 4, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def test_a_company_name_its_domain_and_its_key_are_one_company():
    assert company_key("Acme Robotics, Inc.") == company_key("acme-robotics") == company_key("acme-robotics.com")
    assert company_key("eng.acme.co.uk") == company_key("Acme Ltd")
    assert application_id_for("ADA@example.org", "Acme Robotics") == application_id_for(
        "ada@example.org", "acme-robotics"
    )
    assert company_key("Globex") != company_key("Acme")


def _signed(body: bytes, t: int, secret: str = "s1") -> str:
    return f"t={t},v1=" + hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def test_the_generic_signature_accepts_either_active_secret_within_the_window():
    body = b'{"outcome": "offer"}'
    t = int(NOW.timestamp()) - 120
    for secret in ("s1", "s2"):
        assert require_timestamped_signature("outcome", _signed(body, t, secret), body, ["s1", "s2"], NOW, WINDOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "t=abc,v1=00",
        _signed(b'{"outcome": "offer"}', int(NOW.timestamp()) - 301),  # too old
        _signed(b'{"outcome": "offer"}', int(NOW.timestamp()) + 301),  # from the future
        _signed(b'{"outcome": "rejected"}', int(NOW.timestamp())),  # another body
        _signed(b'{"outcome": "offer"}', int(NOW.timestamp()), "old-secret"),
    ],
)
def test_the_generic_signature_refuses(header):
    with pytest.raises(Unauthorized):
        require_timestamped_signature("outcome", header, b'{"outcome": "offer"}', ["s1", "s2"], NOW, WINDOW)


def test_greenhouse_signature_header_is_algorithm_space_hex():
    assert split_algorithm_signature("sha256 abc123") == "abc123"
    assert split_algorithm_signature("sha1 abc123") is None
    assert split_algorithm_signature("abc123") is None


def test_a_connect_nudge_waits_for_the_last_round_and_for_the_morning():
    london = __import__("zoneinfo").ZoneInfo("Europe/London")
    late_round_end = datetime(2031, 3, 6, 21, 30, tzinfo=UTC)
    due = plan_connect_nudge(london, NOW, NudgeTimings(), not_before=late_round_end).due_at
    assert due == datetime(2031, 3, 7, 8, 0, tzinfo=UTC)  # after the round, out of the quiet hours
