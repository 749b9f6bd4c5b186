"""Advisers: the staff who sign in to the console, and what each role may do.

Roles are the pool's groups (``admins``, ``advisers``), read from the verified access token's
``cognito:groups`` claim on every request; nothing a browser sends decides them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["admins", "advisers"]
ROLES: tuple[Role, ...] = ("admins", "advisers")
# Everything in the console is open to both groups, except managing advisers (admins only).
EVERYONE: frozenset[str] = frozenset(ROLES)
ADMINS_ONLY: frozenset[str] = frozenset({"admins"})


@dataclass(frozen=True)
class Adviser:
    """Who is signed in, as the pool's verified tokens say."""

    sub: str  # the pool's stable id for the person
    email: str
    groups: frozenset[str]

    def may(self, allowed: frozenset[str]) -> bool:
        return bool(self.groups & allowed)

    @property
    def is_admin(self) -> bool:
        return "admins" in self.groups
