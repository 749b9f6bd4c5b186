"""Admins manage advisers (nudges.services.adviser_accounts) against in-memory fakes: the
temporary password meets the pool's policy, the invitation says it in the stack's language and is
recorded for the outbox, a failed mail leaves an account to invite again (never two live
passwords), nobody disables or removes themselves or the last admin, and a disable or removal
ends every session of that adviser."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nudges.adapters.admin_roster import HELD, Roster
from nudges.adapters.adviser_accounts import Account, AccountExists
from nudges.adapters.adviser_invitations import RESEND_WINDOW
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
        self.resends: dict[str, datetime] = {}  # sub -> until (the table's conditional claim)

    def record_send(self, sub, message_id, now):
        self.sent[sub] = message_id

    def claim_resend(self, sub, now):
        if sub in self.resends and self.resends[sub] > now:
            return self.resends[sub] - RESEND_WINDOW
        self.resends[sub] = now + RESEND_WINDOW
        return None

    def release_resend(self, sub):
        self.resends.pop(sub, None)

    def forget(self, sub):
        self.sent.pop(sub, None)
        self.resends.pop(sub, None)


class _Roster:
    """The table's roster of enabled admins (adapters.admin_roster) in memory: each call atomic,
    as DynamoDB applies a conditional write or a transaction."""

    def __init__(self):
        self.lock = threading.Lock()
        self.admins: set[str] = set()
        self.version = 0
        self.held: dict[str, datetime] = {}

    def read(self, now):
        with self.lock:
            changing = frozenset(s for s, until in self.held.items() if until > now)
            return Roster(frozenset(self.admins), self.version, changing)

    def reconcile(self, seen, admins):
        with self.lock:
            wanted = (seen.admins & admins) | (admins - seen.admins - seen.changing)
            if seen.version and wanted == seen.admins:
                return True  # nothing to write
            if seen.version != self.version:
                return False
            self.admins, self.version = set(wanted), self.version + 1
            return True

    def begin(self, sub, leaves, now):
        with self.lock:
            if self.held.get(sub, now) > now:
                return "busy"
            if leaves and (sub not in self.admins or len(self.admins) <= 1):
                return "last"
            self.held[sub] = now + HELD
            if leaves:
                self.admins.discard(sub)
                self.version += 1
            return None

    def finish(self, sub, joins):
        with self.lock:
            if joins:
                self.admins.add(sub)
                self.version += 1
            self.held.pop(sub, None)

    def undo(self, sub, left):
        self.finish(sub, left)


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
    service = AdviserAccountService(
        pool, invitations, sessions, email, audit, "Northside Careers", lambda: "de-DE", _Roster()
    )
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


def test_a_double_click_on_send_again_mails_one_password(world):
    service, pool, _sessions, _invitations, audit, email = world
    service.invite(BOSS, "mira@example.org", "advisers", URL, NOW)
    assert service.invite_again(BOSS, "mira@example.org", URL, NOW) is True
    live = pool.passwords["mira@example.org"]
    # The second click, a moment later: nothing sent, the password mailed still the live one
    assert service.invite_again(BOSS, "mira@example.org", URL, NOW + timedelta(seconds=1)) is False
    assert len(email.sent) == 2 and live in email.sent[-1]["text"] and pool.passwords["mira@example.org"] == live
    assert [e.action for e in audit.entries] == ["adviser_invite", "adviser_invite_again"]
    # A minute on, it may be sent again
    assert service.invite_again(BOSS, "mira@example.org", URL, NOW + RESEND_WINDOW) is True
    assert len(email.sent) == 3 and pool.passwords["mira@example.org"] in email.sent[-1]["text"]


def test_a_resend_whose_mail_failed_does_not_hold_the_next_click(world):
    service, _pool, _sessions, _invitations, _audit, email = world
    service.invite(BOSS, "mira@example.org", "advisers", URL, NOW)
    email.fail_next = True
    with pytest.raises(ConnectionError):
        service.invite_again(BOSS, "mira@example.org", URL, NOW)
    assert service.invite_again(BOSS, "mira@example.org", URL, NOW) is True
    assert len(email.sent) == 2


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


def _two_admins_taking_each_other_away(acts):
    """Two admins, Ana and Ben, each acting on the other at the same instant: both read the pool
    (two enabled admins) before either acts, as two requests at once can."""
    pool, sessions, invitations, audit, email = (
        _Pool(_admin("ana@example.org"), _admin("ben@example.org")),
        _Sessions(),
        _Invitations(),
        _Audit(),
        FakeEmail(),
    )
    roster = _Roster()
    roster.reconcile(
        roster.read(NOW), frozenset({"sub-ana@example.org", "sub-ben@example.org"})
    )  # as any action leaves it
    service = AdviserAccountService(
        pool, invitations, sessions, email, audit, "Northside Careers", lambda: "en-GB", roster
    )
    both_read = threading.Barrier(2)
    listed = pool.all

    def all_after_both_read():
        found = listed()
        if not both_read.broken and both_read.n_waiting < 2 and threading.current_thread() not in passed:
            passed.add(threading.current_thread())
            both_read.wait(timeout=5)  # each thread's first look waits for the other's
        return found

    passed: set[threading.Thread] = set()

    pool.all = all_after_both_read
    ana = Adviser("sub-ana@example.org", "ana@example.org", frozenset({"admins"}))
    ben = Adviser("sub-ben@example.org", "ben@example.org", frozenset({"admins"}))

    def run(pair):
        actor, target, act = pair
        try:
            act(service, actor, target)
        except InvalidInput as refused:
            return refused
        return None

    with ThreadPoolExecutor(2) as threads:
        answers = list(threads.map(run, [(ana, "ben@example.org", acts[0]), (ben, "ana@example.org", acts[1])]))
    pool.all = listed
    return pool, roster, answers


@pytest.mark.parametrize(
    "acts",
    [
        (lambda s, a, t: s.set_enabled(a, t, False, NOW),) * 2,
        (lambda s, a, t: s.set_role(a, t, "advisers", NOW),) * 2,
        (lambda s, a, t: s.remove(a, t, NOW),) * 2,
        (lambda s, a, t: s.set_enabled(a, t, False, NOW), lambda s, a, t: s.remove(a, t, NOW)),
    ],
    ids=["disable-disable", "demote-demote", "remove-remove", "disable-remove"],
)
def test_two_admins_taking_each_other_away_at_once_leave_one(acts):
    pool, roster, answers = _two_admins_taking_each_other_away(acts)
    [refused] = [a for a in answers if a is not None]
    assert "at least one admin must remain" in refused.message
    admins = [a for a in pool.all() if "admins" in a.groups and a.enabled]
    assert len(admins) == 1 and roster.admins == {admins[0].sub} and not roster.held


def test_a_failed_pool_call_puts_the_admin_back_on_the_roster(world):
    service, pool, _sessions, _invitations, _audit, _email = world
    service.invite(BOSS, "ana@example.org", "admins", URL, NOW)
    pool.set_enabled = lambda username, enabled: (_ for _ in ()).throw(ConnectionError("Cognito timed out"))
    with pytest.raises(ConnectionError):
        service.set_enabled(BOSS, "ana@example.org", False, NOW)
    assert service._roster.admins == {"sub-boss@example.org", "sub-ana@example.org"} and not service._roster.held
    del pool.set_enabled  # Cognito answers again: the disable goes through
    service.set_enabled(BOSS, "ana@example.org", False, NOW)
    assert service._roster.admins == {"sub-boss@example.org"} and not pool.accounts["ana@example.org"].enabled


def test_a_change_to_an_account_under_another_change_waits_for_it(world):
    service, pool, _sessions, _invitations, audit, _email = world
    service.invite(BOSS, "ana@example.org", "admins", URL, NOW)
    # Another request is changing Ana (or died doing so): held until its hold lapses
    service._roster.held["sub-ana@example.org"] = NOW + HELD
    with pytest.raises(InvalidInput, match="another change to this adviser is under way"):
        service.set_enabled(BOSS, "ana@example.org", False, NOW)
    assert pool.accounts["ana@example.org"].enabled and service._roster.admins >= {"sub-ana@example.org"}
    # A hold whose process died lapses: the roster follows the pool again and the change goes
    service.set_enabled(BOSS, "ana@example.org", False, NOW + HELD)
    assert not pool.accounts["ana@example.org"].enabled and service._roster.admins == {"sub-boss@example.org"}
    assert [e.action for e in audit.entries] == ["adviser_invite", "adviser_disable"]
