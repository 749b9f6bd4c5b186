"""Admins manage advisers (nudges.services.adviser_accounts) against in-memory fakes: the
temporary password meets the pool's policy, the invitation says it in the stack's language and is
recorded for the outbox, a failed mail leaves an account to invite again (never two live
passwords), nobody disables or removes themselves or the last admin, and a disable or removal
ends every session of that adviser."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from nudges.adapters.adviser_accounts import Account, AccountExists
from nudges.domain.advisers import Adviser
from nudges.errors import InvalidInput, NotFound
from nudges.services.adviser_accounts import AdviserAccountService, temporary_password
from tests.fakes.repositories import FakeEmail

NOW = datetime(2032, 3, 4, 16, tzinfo=UTC)
URL = "https://nudges.example.org/console/sign-in"


class _Pool:
    def __init__(self, *accounts: Account):
        self.accounts = {a.username: a for a in accounts}
        self.passwords: dict[str, str] = {}
        self.signed_out: list[str] = []

    def all(self):
        return sorted(self.accounts.values(), key=lambda a: a.email)

    def get(self, username):
        return self.accounts.get(username)

    def create(self, email, password):
        if email in self.accounts:
            raise AccountExists(email)
        self.accounts[email] = Account(email, f"sub-{email}", email, frozenset(), True, "FORCE_CHANGE_PASSWORD", NOW)
        self.passwords[email] = password
        return self.accounts[email]

    def new_temporary_password(self, username, password):
        self.passwords[username] = password

    def set_role(self, username, role, current):
        self.accounts[username] = replace(self.accounts[username], groups=frozenset({role}))

    def set_enabled(self, username, enabled):
        self.accounts[username] = replace(self.accounts[username], enabled=enabled)

    def sign_out_everywhere(self, username):
        self.signed_out.append(username)

    def delete(self, username):
        del self.accounts[username]


class _Sessions:
    def __init__(self):
        self.ended: list[str] = []

    def delete_all(self, sub):
        self.ended.append(sub)
        return 1


class _Invitations:
    def __init__(self):
        self.sent: dict[str, str] = {}

    def record_send(self, sub, message_id, now):
        self.sent[sub] = message_id

    def forget(self, sub):
        self.sent.pop(sub, None)


class _Audit:
    def __init__(self):
        self.entries = []

    def write(self, entry):
        self.entries.append(entry)


def _admin(email="boss@example.org"):
    return Account(email, f"sub-{email}", email, frozenset({"admins"}), True, "CONFIRMED", NOW)


BOSS = Adviser("sub-boss@example.org", "boss@example.org", frozenset({"admins"}))


@pytest.fixture
def world():
    pool, sessions, invitations, audit, email = _Pool(_admin()), _Sessions(), _Invitations(), _Audit(), FakeEmail()
    service = AdviserAccountService(pool, invitations, sessions, email, audit, "Northside Careers", lambda: "de-DE")
    return service, pool, sessions, invitations, audit, email


def test_temporary_passwords_meet_the_pools_policy_and_differ():
    drawn = {temporary_password() for _ in range(200)}
    assert len(drawn) == 200
    for word in drawn:
        assert len(word) >= 12 and re.search(r"[a-z]", word) and re.search(r"[A-Z]", word) and re.search(r"\d", word)
        assert not set(word) & set("ilo0O1I")


def test_an_invitation_is_mailed_in_the_stacks_language_and_recorded(world):
    service, pool, _sessions, invitations, audit, email = world
    service.invite(BOSS, "  Mira@Example.org ", "advisers", URL, NOW)
    [mail] = email.sent
    assert mail["to"] == "mira@example.org"
    assert pool.passwords["mira@example.org"] in mail["text"] and URL in mail["text"]
    assert "Berater-Konsole" in mail["subject"] and "Northside Careers" in mail["subject"]
    assert pool.accounts["mira@example.org"].groups == {"advisers"}
    assert invitations.sent == {"sub-mira@example.org": "ses-1"}
    [entry] = audit.entries
    assert (entry.adviser_email, entry.action) == ("boss@example.org", "adviser_invite")
    assert pool.passwords["mira@example.org"] not in entry.detail


def test_bad_invitations_change_nothing(world):
    service, pool, _sessions, _invitations, audit, email = world
    for address, role, field in (("not-an-address", "advisers", "email"), ("a@b.org", "owners", "role")):
        with pytest.raises(InvalidInput) as refused:
            service.invite(BOSS, address, role, URL, NOW)
        assert refused.value.field == field
    with pytest.raises(InvalidInput, match="already has an account"):
        service.invite(BOSS, "boss@example.org", "advisers", URL, NOW)
    assert len(pool.accounts) == 1 and not email.sent and not audit.entries


def test_a_failed_mail_is_sent_again_with_a_new_password(world):
    service, pool, _sessions, invitations, _audit, email = world
    email.fail_next = True
    with pytest.raises(ConnectionError):
        service.invite(BOSS, "mira@example.org", "advisers", URL, NOW)
    first = pool.passwords["mira@example.org"]
    assert not invitations.sent
    service.invite_again(BOSS, "mira@example.org", URL, NOW)
    [mail] = email.sent
    second = pool.passwords["mira@example.org"]
    assert second != first and second in mail["text"] and first not in mail["text"]
    # Once signed in, there is nothing to send again
    pool.accounts["mira@example.org"] = replace(pool.accounts["mira@example.org"], status="CONFIRMED")
    with pytest.raises(InvalidInput, match="signed in already"):
        service.invite_again(BOSS, "mira@example.org", URL, NOW)


def test_no_admin_disables_removes_or_demotes_themselves_or_the_last_admin(world):
    service, pool, sessions, _invitations, audit, _email = world
    for act in (
        lambda: service.set_enabled(BOSS, "boss@example.org", False, NOW),
        lambda: service.remove(BOSS, "boss@example.org", NOW),
        lambda: service.set_role(BOSS, "boss@example.org", "advisers", NOW),
    ):
        with pytest.raises(InvalidInput, match="your own account"):
            act()
    # Another admin may not remove the last one either
    other = Adviser("sub-x", "x@example.org", frozenset({"admins"}))
    with pytest.raises(InvalidInput, match="last admin"):
        service.set_enabled(other, "boss@example.org", False, NOW)
    assert pool.accounts["boss@example.org"].enabled and not sessions.ended and not audit.entries
    with pytest.raises(NotFound):
        service.remove(BOSS, "nobody@example.org", NOW)


def test_a_disable_a_role_change_and_a_removal_end_every_session(world):
    service, pool, sessions, invitations, audit, _email = world
    service.invite(BOSS, "mira@example.org", "advisers", URL, NOW)
    service.set_enabled(BOSS, "mira@example.org", False, NOW)
    assert not pool.accounts["mira@example.org"].enabled
    service.set_enabled(BOSS, "mira@example.org", True, NOW)
    service.set_role(BOSS, "mira@example.org", "admins", NOW)
    service.remove(BOSS, "mira@example.org", NOW)
    assert "mira@example.org" not in pool.accounts and not invitations.sent
    assert sessions.ended == ["sub-mira@example.org"] * 3  # disabled, re-roled, removed
    assert pool.signed_out == ["mira@example.org"] * 3
    assert [e.action for e in audit.entries] == [
        "adviser_invite",
        "adviser_disable",
        "adviser_enable",
        "adviser_role",
        "adviser_remove",
    ]
