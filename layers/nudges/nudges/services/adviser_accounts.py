"""Admins manage the console's advisers: invite, change a role, disable or enable, remove; and
send an invitation again to someone who has not signed in yet.

An invitation: the pool's user created without Cognito's mail, with a temporary password drawn
here that meets the pool's policy (12+ characters; lower- and upper-case letters, digits and a
symbol, so a stricter policy takes it too), put in its group, then mailed through SES like every
message (kind ``adviser_invitation``; the words are the catalogs' ``page.adviser_invitation.*``)
with the console's sign-in address. The password is never stored or logged. Creating the account
and mailing it are two steps: if the mail fails, the account is listed as invited and "send the
invitation again" draws a new temporary password and mails it (never two live ones).

Disabling or removing an account signs it out everywhere: its refresh tokens revoked at the pool
and every console session of its deleted. No admin disables, removes or demotes themselves, and
the last enabled admin stays one, even when two admins take each other away at the same instant:
the table's roster of enabled admins is the arbiter (``adapters.admin_roster``: a conditional
write before the pool's change, undone if the pool's call fails). Every action is written to the
audit log with who did it.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from nudges.adapters.adviser_accounts import AccountExists
from nudges.adapters.audit_log import AuditEntry
from nudges.domain.advisers import ROLES
from nudges.domain.interview import normalise_email
from nudges.domain.page_words import mail_html, say
from nudges.errors import InvalidInput, NotFound
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.adapters.admin_roster import AdminRoster
    from nudges.adapters.adviser_accounts import Account, AdviserAccounts
    from nudges.adapters.adviser_invitations import AdviserInvitations
    from nudges.adapters.audit_log import AuditLog
    from nudges.adapters.console_sessions import ConsoleSessions
    from nudges.domain.advisers import Adviser
    from nudges.services.ports import EmailOut

_RECONCILE_TRIES = 3  # the roster read and written again when another change came between
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: read off a mail and typed


def temporary_password() -> str:
    """Four groups of five, e.g. ``k7Rm2-pq9Xa-...``: 23 characters, lower, upper, digits and ``-``."""
    pool = _PASSWORD_LETTERS + _PASSWORD_LETTERS.upper() + "23456789"
    while True:
        groups = ["".join(secrets.choice(pool) for _ in range(5)) for _ in range(4)]
        word = "-".join(groups)
        if (
            any(c in string.ascii_lowercase for c in word)
            and any(c in string.ascii_uppercase for c in word)
            and any(c.isdigit() for c in word)
        ):
            return word


class AdviserAccountService:
    def __init__(
        self,
        accounts: AdviserAccounts,
        invitations: AdviserInvitations,
        sessions: ConsoleSessions,
        email: EmailOut,
        audit: AuditLog,
        operator_name: str,
        locale: Callable[[], str],
        roster: AdminRoster,
    ) -> None:
        self._accounts = accounts
        self._roster = roster
        self._invitations = invitations
        self._sessions = sessions
        self._email = email
        self._audit = audit
        self._operator = operator_name
        self._locale = locale

    def _record(self, actor: Adviser, action: str, now: datetime, detail: str) -> None:
        self._audit.write(AuditEntry(now, actor.sub, actor.email, action, detail=detail))

    def all(self) -> list[Account]:
        return self._accounts.all()

    def account(self, username: str) -> Account:
        found = self._accounts.get(username) if username else None
        if found is None:
            raise NotFound("no such adviser", field="username")
        return found

    # ------------------------------------------------------------------ invite
    def invite(self, actor: Adviser, email: str, role: str, sign_in_url: str, now: datetime) -> Account:
        address = normalise_email(email)
        local, _, domain = address.partition("@")
        if not local or "." not in domain or len(address) > 254 or any(c.isspace() for c in address):
            raise InvalidInput("email: give the adviser's email address, like name@example.org", field="email")
        if role not in ROLES:
            raise InvalidInput("role: choose admins or advisers", field="role")
        password = temporary_password()
        try:
            account = self._accounts.create(address, password)
        except AccountExists:
            raise InvalidInput(
                "email: this address already has an account in the console (see the list below)", field="email"
            ) from None
        self._accounts.set_role(account.username, role, frozenset())
        if role == "admins":
            self._roster.finish(account.sub, joins=True)
        account = self.account(account.username)
        self._mail(account, password, sign_in_url, now)
        self._record(actor, "adviser_invite", now, f"invited {address} as {role}")
        logger.info("adviser invited", extra={"adviser": account.sub, "role": role})
        return account

    def invite_again(self, actor: Adviser, username: str, sign_in_url: str, now: datetime) -> bool:
        """A new temporary password mailed to someone invited who has not signed in yet: True.
        False, and nothing sent, when it was sent again moments ago (``RESEND_WINDOW``: a double
        click mails one password, not two of which only the later works)."""
        account = self.account(username)
        if account.status != "FORCE_CHANGE_PASSWORD":
            raise InvalidInput("username: this adviser has signed in already; nothing to send again", field="username")
        if self._invitations.claim_resend(account.sub, now) is not None:
            logger.info("adviser invitation just sent again: not sent twice", extra={"adviser": account.sub})
            return False
        try:
            password = temporary_password()
            self._accounts.new_temporary_password(account.username, password)
            self._mail(account, password, sign_in_url, now)
        except Exception:
            self._invitations.release_resend(account.sub)  # nothing mailed: the next click sends
            raise
        self._record(actor, "adviser_invite_again", now, f"invitation sent again to {account.email}")
        return True

    def _mail(self, account: Account, password: str, sign_in_url: str, now: datetime) -> None:
        locale = self._locale()
        values = {
            "operator": self._operator,
            "email": account.email,
            "password": password,
            "link": sign_in_url,
        }
        subject = say("adviser_invitation", "subject", locale, **values)
        text = say("adviser_invitation", "text", locale, **values)
        message_id = self._email.send(account.email, subject, text, mail_html(text))
        self._invitations.record_send(account.sub, message_id, now)

    # ------------------------------------------------------------------ change
    def _refuse_if_last_admin(self, actor: Adviser, account: Account, what: str, field: str, now: datetime) -> bool:
        """Refuse an admin's own account, and the last enabled admin; True when ``account`` is an
        enabled admin (the action takes one away: ``_apply`` then asks the roster)."""
        if account.sub == actor.sub:
            raise InvalidInput(f"{field}: you cannot {what} your own account; ask another admin", field=field)
        if not ("admins" in account.groups and account.enabled):
            return False
        for _ in range(_RECONCILE_TRIES):
            seen = self._roster.read(now)  # the roster before the pool (adapters.admin_roster)
            admins = frozenset(a.sub for a in self._accounts.all() if "admins" in a.groups and a.enabled)
            if len(admins) <= 1:
                raise InvalidInput(f"{field}: this is the last admin; make another admin first", field=field)
            if self._roster.reconcile(seen, admins):
                break
        return True

    def _apply(
        self, account: Account, field: str, now: datetime, act: Callable[[], object], *, leaves: bool, joins: bool
    ) -> None:
        """``act`` (the pool's change) after the table's conditional write: with ``leaves``, the
        account off the roster of enabled admins only while another stays on it, so of two admins
        taking each other away at the same instant one is refused. Should ``act`` fail, the roster
        is put back; ``joins``: on the roster once it went through."""
        refused = self._roster.begin(account.sub, leaves, now)
        if refused == "busy":
            raise InvalidInput(
                f"{field}: another change to this adviser is under way; try again in a moment", field=field
            )
        if refused == "last":
            raise InvalidInput(
                f"{field}: at least one admin must remain (another admin's change came first)", field=field
            )
        try:
            act()
        except Exception:
            self._roster.undo(account.sub, leaves)
            raise
        self._roster.finish(account.sub, joins)

    def _sign_out(self, account: Account) -> int:
        self._accounts.sign_out_everywhere(account.username)
        return self._sessions.delete_all(account.sub) if account.sub else 0

    def set_role(self, actor: Adviser, username: str, role: str, now: datetime) -> Account:
        if role not in ROLES:
            raise InvalidInput("role: choose admins or advisers", field="role")
        account = self.account(username)
        if role == account.role:
            return account
        leaves = role != "admins" and self._refuse_if_last_admin(actor, account, "demote", "role", now)
        self._apply(
            account,
            "role",
            now,
            lambda: self._accounts.set_role(account.username, role, account.groups),
            leaves=leaves,
            joins=role == "admins" and account.enabled,
        )
        # Roles are read from the access token: sessions made before the change end now.
        self._sign_out(account)
        self._record(actor, "adviser_role", now, f"{account.email}: {account.role or 'no group'} -> {role}")
        return self.account(username)

    def set_enabled(self, actor: Adviser, username: str, enabled: bool, now: datetime) -> Account:
        account = self.account(username)
        leaves = not enabled and self._refuse_if_last_admin(actor, account, "disable", "enabled", now)
        self._apply(
            account,
            "enabled",
            now,
            lambda: self._accounts.set_enabled(account.username, enabled),
            leaves=leaves,
            joins=enabled and "admins" in account.groups,
        )
        if not enabled:
            self._sign_out(account)
        self._record(actor, "adviser_enable" if enabled else "adviser_disable", now, account.email)
        logger.info("adviser enabled" if enabled else "adviser disabled", extra={"adviser": account.sub})
        return self.account(username)

    def remove(self, actor: Adviser, username: str, now: datetime) -> Account:
        account = self.account(username)
        leaves = self._refuse_if_last_admin(actor, account, "remove", "remove", now)

        def act() -> None:
            self._sign_out(account)
            self._accounts.delete(account.username)

        self._apply(account, "remove", now, act, leaves=leaves, joins=False)
        self._invitations.forget(account.sub)
        self._record(actor, "adviser_remove", now, f"removed {account.email}")
        logger.info("adviser removed", extra={"adviser": account.sub})
        return account
