"""The advisers' accounts in the stack's Cognito pool, as the console's admins manage them.

Accounts are created without Cognito's own mail (``MessageAction="SUPPRESS"``: the console mails
the invitation through SES, like every message); a role is membership of the pool's group
``admins`` or ``advisers``. Disabling and removing an account revoke its refresh tokens
(``AdminUserGlobalSignOut``); the console's own sessions are the caller's to delete.
Every call names the pool; the console's role may call them on this pool only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from nudges.domain.advisers import ROLES


class AccountExists(Exception):
    """The address is already a user of the pool."""


@dataclass(frozen=True)
class Account:
    username: str  # the pool's name for the user (how every Admin* call names them)
    sub: str  # the pool's stable id (what the console's sessions and audit entries name)
    email: str
    groups: frozenset[str]
    enabled: bool
    status: str  # FORCE_CHANGE_PASSWORD (invited, not signed in yet), CONFIRMED, ...
    created_at: datetime | None

    @property
    def role(self) -> str:
        return next((r for r in ROLES if r in self.groups), "")


def _attributes(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {a["Name"]: a.get("Value", "") for a in raw or []}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class AdviserAccounts:
    def __init__(self, client: Any, pool_id: str) -> None:
        self._idp = client
        self.pool_id = pool_id

    def _account(self, user: dict[str, Any], groups: frozenset[str]) -> Account:
        attributes = _attributes(user.get("Attributes") or user.get("UserAttributes"))
        created = user.get("UserCreateDate")
        return Account(
            username=str(user["Username"]),
            sub=attributes.get("sub", ""),
            email=attributes.get("email", ""),
            groups=groups,
            enabled=bool(user.get("Enabled", True)),
            status=str(user.get("UserStatus", "")),
            created_at=created if isinstance(created, datetime) else None,
        )

    def all(self) -> list[Account]:
        """Every user of the pool with their groups, by email address."""
        members: dict[str, set[str]] = {}
        for group in ROLES:
            for page in self._idp.get_paginator("list_users_in_group").paginate(
                UserPoolId=self.pool_id, GroupName=group
            ):
                for user in page.get("Users", []):
                    members.setdefault(str(user["Username"]), set()).add(group)
        users = [
            self._account(user, frozenset(members.get(str(user["Username"]), ())))
            for page in self._idp.get_paginator("list_users").paginate(UserPoolId=self.pool_id)
            for user in page.get("Users", [])
        ]
        return sorted(users, key=lambda a: a.email)

    def get(self, username: str) -> Account | None:
        try:
            user = self._idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
            groups = self._idp.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if _code(exc) == "UserNotFoundException":
                return None
            raise
        return self._account(user, frozenset(g["GroupName"] for g in groups.get("Groups", [])))

    def create(self, email: str, temporary_password: str) -> Account:
        """A new user named by their address, to change ``temporary_password`` at first sign-in."""
        try:
            user = self._idp.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
                TemporaryPassword=temporary_password,
                MessageAction="SUPPRESS",
            )["User"]
        except ClientError as exc:
            if _code(exc) in ("UsernameExistsException", "AliasExistsException"):
                raise AccountExists(email) from None
            raise
        return self._account(user, frozenset())

    def new_temporary_password(self, username: str, temporary_password: str) -> None:
        """The user must choose a new password at their next sign-in, starting from this one."""
        self._idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=temporary_password, Permanent=False
        )

    def set_role(self, username: str, role: str, current: frozenset[str]) -> None:
        """In group ``role`` and in no other of the console's groups (added first: never in none)."""
        self._idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=role)
        for other in current - {role}:
            if other in ROLES:
                self._idp.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=username, GroupName=other)

    def set_enabled(self, username: str, enabled: bool) -> None:
        if enabled:
            self._idp.admin_enable_user(UserPoolId=self.pool_id, Username=username)
        else:
            self._idp.admin_disable_user(UserPoolId=self.pool_id, Username=username)

    def sign_out_everywhere(self, username: str) -> None:
        """Revoke every refresh token of the user (access tokens the console holds are deleted with its sessions)."""
        try:
            self._idp.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise

    def delete(self, username: str) -> None:
        try:
            self._idp.admin_delete_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise
