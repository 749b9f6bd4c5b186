"""Outcome webhook bodies, as each source publishes them (only the fields the service reads).

- Greenhouse web hooks: ``{"action": ..., "payload": {...}}``; ``offer_created`` / ``offer_updated``
  carry the offer (``application_id``, ``user_id``, ``offer_status``), ``hire_candidate`` and
  ``reject_candidate`` the whole application with its candidate, ``ping`` is sent when the web
  hook is created or updated.
- Lever webhooks: ``{"event", "triggeredAt" (ms), "token", "signature", "data": {"opportunityId", ...}}``.
- The generic outcome webhook: ``{"candidate_email", "company", "outcome"}``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from nudges.domain.interview import UNKNOWN_COMPANY, company_key

# What each provider event means for the application ("offer_withdrawn": a recorded offer is
# taken back, its connect nudge too if it has not gone).
GREENHOUSE_ACTIONS = {
    "offer_created": "offer",
    "offer_updated": "offer",
    "offer_deleted": "offer_withdrawn",
    "hire_candidate": "offer",
    "reject_candidate": "rejected",
}
# An offer's ``offer_status`` that says an offer was made (Greenhouse writes them capitalised:
# "Created", "Unresolved", "Accepted"); "Rejected" (declined) and "Deprecated" (replaced by a
# newer version) are not one. No status (an older payload) counts for offer_created only.
GREENHOUSE_OFFER_MADE = frozenset({"created", "unresolved", "sent", "accepted", "approved"})
LEVER_EVENTS = frozenset({"candidateHired", "candidateStageChange", "candidateArchiveChange"})


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GreenhouseWebhook(_Lenient):
    action: str = Field(min_length=1, max_length=200)
    payload: dict = {}


class GreenhouseOffer(_Lenient):
    id: int
    application_id: int
    user_id: int | None = None
    offer_status: str | None = None


class GreenhouseEmail(_Lenient):
    value: str = ""


class GreenhouseUser(_Lenient):
    email: str | None = None


class GreenhouseCandidate(_Lenient):
    email_addresses: list[GreenhouseEmail] = []
    recruiter: GreenhouseUser | None = None
    coordinator: GreenhouseUser | None = None


class GreenhouseApplication(_Lenient):
    id: int
    candidate: GreenhouseCandidate
    credited_to: GreenhouseUser | None = None


class GreenhouseApplicationEvent(_Lenient):
    application: GreenhouseApplication


class LeverData(_Lenient):
    # Contact events (contactCreated, contactUpdated) name no opportunity: answered "ignored".
    opportunityId: str | None = Field(default=None, min_length=1, max_length=200)
    toStageId: str | None = None


class LeverWebhook(_Lenient):
    event: str = Field(min_length=1, max_length=200)
    triggeredAt: int
    token: str = Field(min_length=1)
    signature: str = Field(min_length=1)
    data: LeverData


def _names_a_company(name: str) -> str:
    if company_key(name) == UNKNOWN_COMPANY:
        raise ValueError("names no company: it has no letter or digit (of any script)")
    return name


class OutcomeEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    candidate_email: EmailStr
    company: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_names_a_company)]
    outcome: Literal["offer", "rejected", "withdrawn"]
