"""Join codes from the console (both groups): made, listed with how many candidates joined
through each, revoked (after a confirmation page); through the operator API's own service
(``SignupService``), each action written to the audit log with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nudges.adapters.audit_log import AuditEntry

if TYPE_CHECKING:
    from datetime import datetime

    from nudges.adapters.audit_log import AuditLog
    from nudges.adapters.candidate_directory import CandidateDirectory
    from nudges.adapters.join_codes import JoinCode
    from nudges.domain.advisers import Adviser
    from nudges.services.signup import SignupService


@dataclass(frozen=True)
class CodeListing:
    code: JoinCode
    joined: int  # candidates registered with this code (who clicked their link)


class JoinCodeActions:
    def __init__(self, signup: SignupService, directory: CandidateDirectory, audit: AuditLog) -> None:
        self._signup = signup
        self._directory = directory
        self._audit = audit

    def listing(self) -> list[CodeListing]:
        """Active codes first (newest first), then the revoked ones."""
        sizes = self._directory.cohort_sizes()
        codes = sorted(self._signup.codes(), key=lambda c: c.created_at, reverse=True)
        codes.sort(key=lambda c: not c.active)
        return [CodeListing(c, sizes.get(c.join_code, 0)) for c in codes]

    def create(self, actor: Adviser, label: str, now: datetime) -> JoinCode:
        code = self._signup.create_code(label, now)
        detail = f"{code.join_code}: {code.label}"
        self._audit.write(AuditEntry(now, actor.sub, actor.email, "join_code_create", detail=detail))
        return code

    def revoke(self, actor: Adviser, code: str, now: datetime) -> None:
        self._signup.revoke(code, now)
        self._audit.write(AuditEntry(now, actor.sub, actor.email, "join_code_revoke", detail=code))
