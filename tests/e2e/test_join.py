"""Signing up by oneself, end to end on the local stack: join codes (API), the join page by plain
form posts, the verification mail (kind ``verification`` in the outbox), the confirm click that
registers exactly as ``POST /candidates`` does (welcome included), and everything that must
change nothing: the same address twice, a revoked code, a forged, expired or reused link, the
honeypot, the per-address limit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

from tests.e2e import forms

NOW = datetime(2036, 3, 3, 10, 0, tzinfo=UTC)  # a Monday morning
LINK = re.compile(r"https?://\S+/join/verify/[\w-]+")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str):
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


post_form = forms.post_form


def join_code(client, label="Careers fair, March") -> dict:
    reply = client.request("POST", "/join-codes", {"label": label})
    assert reply.status == 201, reply
    return reply.body


def join_fields(email: str, **extra: str) -> list[tuple[str, str]]:
    fields = {
        "name": "Grace Hopper",
        "email": email,
        "phone": "07700 900 123",
        "country": "GB",
        "timezone": "Europe/London",
        "locale": "en-GB",
        **extra,
    }
    return [*fields.items(), ("channels", "email"), ("channels", "sms"), ("consent_sms", "on")]


def mails_to(client, address: str, kind: str | None = None) -> list[dict]:
    return [m for m in client.outbox() if m["to"] == address and (kind is None or m["kind"] == kind)]


def verification_link(client, address: str) -> str:
    [*_, mail] = mails_to(client, address, "verification")
    return LINK.search(mail["body"])[0]


def test_join_verify_confirm_registers_with_welcome(client, stack, unique):
    client.set_clock(NOW)
    code = join_code(client)
    assert code["url"].endswith(f"/join/{code['join_code']}")
    listed = client.request("GET", "/join-codes").body["join_codes"]
    assert any(c["join_code"] == code["join_code"] and c["label"] == "Careers fair, March" for c in listed)

    status, page = get(code["url"])
    assert status == 200
    assert "Careers fair, March" in page
    assert '<option value="Europe/London" selected>' in page  # DefaultTimezone preselected
    assert "I agree to receive interview nudges by text message" in page

    email = f"grace.{unique}@example.org"
    status, _, page = post_form(code["url"], join_fields(email))
    assert status == 200, page[-3000:]
    assert "Check your inbox" in page
    # Nothing is registered before the click.
    assert client.request("GET", f"/candidates?email={email}").status == 404
    [mail] = mails_to(client, email, "verification")
    assert "24 hours" in mail["body"]

    link = verification_link(client, email)
    status, page = get(link)
    assert status == 200 and "Confirm" in page
    assert client.request("GET", f"/candidates?email={email}").status == 404

    status, _, page = post_form(link, [])
    assert status == 200, page[-3000:]
    assert "You are signed up" in page
    candidate = client.request("GET", f"/candidates?email={email}").body
    assert candidate["phone"] == "+447700900123"  # typed nationally, stored in E.164
    assert candidate["join_code"] == code["join_code"]
    assert candidate["channels"] == ["email", "sms"]
    consent = candidate["sms_consent"]
    assert consent["method"] == "web_form"
    assert consent["text"].startswith("I agree to receive interview nudges by text message")
    assert consent["obtained_at"].startswith("2036-03-03T10:00")
    assert candidate["reachable"]["sms"] is True  # consent given on the page: no YES needed
    # The welcome, exactly as POST /candidates plans it.
    client.set_clock(NOW + timedelta(minutes=1))
    assert mails_to(client, email, "welcome")
    cohort = client.request("GET", f"/candidates?join_code={code['join_code']}").body["candidates"]
    assert [c["candidate_id"] for c in cohort] == [candidate["candidate_id"]]

    # The link works once.
    status, page = post_form(link, [])[0], post_form(link, [])[2]
    assert status == 410 and "expired" in page
    assert len(client.request("GET", f"/candidates?join_code={code['join_code']}").body["candidates"]) == 1


def test_same_address_twice_changes_nothing_and_mails_the_preferences_link(client, unique):
    client.set_clock(NOW)
    code = join_code(client)
    email = f"twice.{unique}@example.org"
    post_form(code["url"], join_fields(email))
    post_form(verification_link(client, email), [])
    before = client.request("GET", f"/candidates?email={email}").body

    # Again, with other details: the page says the same as for a new address.
    status, _, page = post_form(code["url"], join_fields(email, name="Someone Else", timezone="America/New_York"))
    assert status == 200 and "Check your inbox" in page
    status, _, page = post_form(verification_link(client, email), [])
    assert status == 200
    after = client.request("GET", f"/candidates?email={email}").body
    assert after["name"] == before["name"] == "Grace Hopper"
    assert after["timezone"] == "Europe/London"
    [known] = [m for m in mails_to(client, email, "verification") if "already signed up" in m["body"]]
    assert before["preferences_url"] in known["body"]


def test_revoked_code_forged_and_expired_links_register_nothing(client, unique):
    client.set_clock(NOW)
    code = join_code(client)
    assert client.request("DELETE", f"/join-codes/{code['join_code']}").status == 204
    status, page = get(code["url"])
    assert status == 404 and "not valid" in page
    email = f"revoked.{unique}@example.org"
    status, _, page = post_form(code["url"], join_fields(email))
    assert status == 404
    assert not mails_to(client, email)
    assert get(code["url"].replace(code["join_code"], "nosuchcode"))[0] == 404

    live = join_code(client)
    base = live["url"].rsplit("/join/", 1)[0]
    for forged in ("forged-token", "x" * 40):
        assert get(f"{base}/join/verify/{forged}")[0] == 404
        assert post_form(f"{base}/join/verify/{forged}", [])[0] == 404

    email = f"late.{unique}@example.org"
    post_form(live["url"], join_fields(email))
    link = verification_link(client, email)
    client.set_clock(NOW + timedelta(hours=24, minutes=1))
    assert get(link)[0] == 410
    assert post_form(link, [])[0] == 410
    assert client.request("GET", f"/candidates?email={email}").status == 404


def test_refused_join_form_keeps_input_and_honeypot_and_address_limit(client, unique):
    client.set_clock(NOW)
    code = join_code(client)
    email = f"typo.{unique}@example.org"
    status, _, page = post_form(
        code["url"],
        [
            ("name", "Ada"),
            ("email", email),
            ("phone", "12"),
            ("country", "GB"),
            ("timezone", "London"),
            ("channels", "sms"),
        ],
    )
    assert status == 400
    assert 'id="phone-error"' in page and 'id="timezone-error"' in page
    assert f'value="{email}"' in page and 'value="Ada"' in page  # the input kept
    assert not mails_to(client, email)

    bot = f"bot.{unique}@example.org"
    status, _, page = post_form(code["url"], [*join_fields(bot), ("website", "http://spam.example")])
    assert status == 200 and "Check your inbox" in page
    assert not mails_to(client, bot)

    many = f"many.{unique}@example.org"
    for _ in range(5):
        status, _, page = post_form(code["url"], join_fields(many))
        assert status == 200 and "Check your inbox" in page
    assert len(mails_to(client, many, "verification")) == 3


def test_cli_join_codes_create_list_revoke(stack, tmp_path):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIDOPERATOR",
        "AWS_SECRET_ACCESS_KEY": "operator-secret",
        "AWS_REGION": "eu-west-2",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }

    def nudges(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "nudges_cli", *args, "--api-url", stack.base_url],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    created = json.loads(nudges("join-codes", "create", "MSc cohort 2036", "--json"))
    assert created["url"].endswith(f"/join/{created['join_code']}")
    listing = nudges("join-codes", "list")
    assert created["join_code"] in listing and "MSc cohort 2036" in listing
    assert "revoked" in nudges("join-codes", "revoke", created["join_code"])
    assert get(created["url"])[0] == 404
    assert "no candidates" in nudges("candidates", "list", "--join-code", created["join_code"])
