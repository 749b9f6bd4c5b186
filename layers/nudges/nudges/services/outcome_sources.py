"""Outcome sources, outside the operator API: Greenhouse, Lever and the generic signed outcome webhook.

Each source is verified as it signs (by the handler or here), then reduced to the same thing:
candidate emails, a company, an outcome; ``OutcomeService.record_for_candidate`` does the rest.
Webhook receipts are remembered (``WebhookReceipts.claim``) so a duplicate or a replay changes nothing, and
forgotten again when processing fails, so the provider's retry is heard.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from nudges.domain.interview import UNKNOWN_COMPANY, company_from_email, company_key
from nudges.errors import Unauthorized
from nudges.models.outcomes import (
    GREENHOUSE_ACTIONS,
    GREENHOUSE_OFFER_MADE,
    LEVER_EVENTS,
    GreenhouseApplicationEvent,
    GreenhouseOffer,
    GreenhouseWebhook,
    LeverWebhook,
    OutcomeEvent,
)
from nudges.models.parsing import parse
from nudges.observability import logger
from nudges.signatures import REPLAY_WINDOW, hmac_sha256_hex, require_fresh, signed_time

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from nudges.adapters.ats import GreenhouseApi, LeverApi, LeverOpportunity
    from nudges.services.outcomes import Outcome, OutcomeService
    from nudges.services.ports import Receipts

# Kept longer than any window in which a replay would still be accepted.
REMEMBER_RECEIPTS = timedelta(days=2)


@dataclass(frozen=True)
class Handled:
    """What a source's webhook came to; the HTTP edge (``http.source_answer``) answers it."""

    # kept: no interview known yet; withdrawn: a recorded offer taken back (offer_deleted)
    status: Literal["applied", "kept", "withdrawn", "ignored", "duplicate", "pong"]
    detail: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        return {"status": self.status, **(self.detail or {})}


def company_for(hint_emails: Iterable[str | None], override: str | None) -> str | None:
    """The hiring company: as the operator wired it (``?company=``), else the hiring side's domain."""
    if override and override.strip():
        # A ?company= with no letter or digit in it names nobody: as if it were not there.
        return override.strip() if company_key(override) != UNKNOWN_COMPANY else None
    for email in hint_emails:
        if email and (company := company_from_email(email)):
            return company
    return None


class OutcomeSources:
    def __init__(self, receipts: Receipts, outcomes: OutcomeService) -> None:
        self._receipts = receipts
        self._outcomes = outcomes

    # ------------------------------------------------------------------ shared
    def _once(self, source: str, receipt_id: str | None, now: datetime, work: Callable[[], Handled]) -> Handled | None:
        """Run ``work`` unless this webhook was received before; None when it was."""
        if receipt_id and not self._receipts.claim(source, receipt_id, now, REMEMBER_RECEIPTS):
            return None
        try:
            return work()
        except Exception:
            if receipt_id:
                self._receipts.release(source, receipt_id)
            raise

    def _record(
        self, source: str, emails: Iterable[str], company: str | None, outcome: Outcome, now: datetime
    ) -> Handled:
        if company is None:
            logger.info("outcome without a company ignored", extra={"source": source})
            return Handled("ignored", detail={"reason": "no company: add ?company=<name> to the webhook URL"})
        recorded = self._outcomes.record_for_candidate(emails, company, outcome, now)
        detail = {"application_id": recorded.application.application_id, "outcome": outcome}
        logger.info(
            "outcome received",
            extra={"source": source, "matched": recorded.matched, **detail},
        )
        if recorded.matched:
            return Handled("applied", detail)
        return Handled("kept", detail)

    def _withdraw(self, source: str, emails: Iterable[str], company: str | None, now: datetime) -> Handled:
        if company is None:
            return Handled("ignored", detail={"reason": "no company: add ?company=<name> to the webhook URL"})
        withdrawn = self._outcomes.withdraw_offer(emails, company, now)
        logger.info("offer withdrawal received", extra={"source": source, "withdrawn": withdrawn.withdrawn})
        if not withdrawn.withdrawn:
            return Handled("ignored", detail={"reason": withdrawn.reason})
        return Handled("withdrawn", detail={"application_id": withdrawn.application_id})

    # ------------------------------------------------------------------ Greenhouse
    def greenhouse(
        self,
        body: Any,
        event_id: str | None,
        company_override: str | None,
        api: GreenhouseApi,
        now: datetime,
    ) -> Handled:
        """A verified Greenhouse web hook (the handler checked ``Signature`` on the raw body)."""
        webhook = parse(GreenhouseWebhook, body)
        if webhook.action == "ping":
            return Handled("pong")
        outcome = GREENHOUSE_ACTIONS.get(webhook.action)
        if outcome is None:
            return Handled("ignored", detail={"action": webhook.action})

        def work() -> Handled:
            if webhook.action in ("hire_candidate", "reject_candidate"):
                # These carry the whole application, and the body is signed: no look-up needed.
                application = parse(GreenhouseApplicationEvent, webhook.payload).application
                emails = [e.value for e in application.candidate.email_addresses]
                hints = [
                    application.credited_to.email if application.credited_to else None,
                    application.candidate.recruiter.email if application.candidate.recruiter else None,
                    application.candidate.coordinator.email if application.candidate.coordinator else None,
                ]
            else:
                offer = parse(GreenhouseOffer, webhook.payload)
                status = (offer.offer_status or "").strip().casefold()
                made = status in GREENHOUSE_OFFER_MADE or (not status and webhook.action == "offer_created")
                if outcome == "offer" and not made:
                    return Handled(
                        "ignored", detail={"reason": f"offer_status {offer.offer_status!r} is no offer made"}
                    )
                # Offer events name only ids: ask Harvest who the candidate and the offering user are.
                found = api.candidate_for_application(offer.application_id, offer.user_id)
                emails, hints = list(found.emails), list(found.company_hint_emails)
            company = company_for(hints, company_override)
            if outcome == "offer_withdrawn":
                return self._withdraw("greenhouse", emails, company, now)
            return self._record("greenhouse", emails, company, outcome, now)  # type: ignore[arg-type]

        return self._once("greenhouse", event_id, now, work) or Handled("duplicate")

    # ------------------------------------------------------------------ Lever
    def lever(
        self,
        body: Any,
        secrets: list[str],
        offer_stage: str,
        company_override: str | None,
        api: LeverApi,
        now: datetime,
    ) -> Handled:
        """A Lever webhook: the signature covers only ``token + triggeredAt``, so the body is
        trusted for nothing but the opportunity id; what happened is read back from Lever."""
        if not isinstance(body, dict):
            raise Unauthorized("missing Lever signature")
        token, triggered_at, signature = body.get("token"), body.get("triggeredAt"), body.get("signature")
        if not (isinstance(token, str) and isinstance(triggered_at, int) and isinstance(signature, str)):
            raise Unauthorized("missing Lever signature")
        signed = f"{token}{triggered_at}".encode()
        matched = False
        for secret in secrets:
            matched |= hmac.compare_digest(hmac_sha256_hex(secret, signed), signature.strip().lower())
        if not matched:
            raise Unauthorized("bad Lever signature")
        require_fresh("Lever", signed_time("Lever", triggered_at / 1000), now, REPLAY_WINDOW)
        webhook = parse(LeverWebhook, body)

        def work() -> Handled:
            if webhook.event not in LEVER_EVENTS:
                return Handled("ignored", detail={"event": webhook.event})
            if webhook.data.opportunityId is None:
                return Handled("ignored", detail={"event": webhook.event, "reason": "no opportunity named"})
            opportunity = api.opportunity(webhook.data.opportunityId)
            outcome = self._lever_outcome(webhook.event, opportunity, offer_stage)
            if outcome is None:
                return Handled("ignored", detail={"reason": "the opportunity, as Lever shows it now, has no outcome"})
            company = company_for([opportunity.owner_email], company_override)
            return self._record("lever", opportunity.emails, company, outcome, now)

        handled = self._once("lever", token, now, work)
        if handled is None:
            raise Unauthorized("Lever token already used")
        return handled

    @staticmethod
    def _lever_outcome(event: str, opportunity: LeverOpportunity, offer_stage: str) -> Outcome | None:
        """What the re-read opportunity says, whatever the webhook claimed."""
        if opportunity.hired:
            return "offer" if event in ("candidateHired", "candidateArchiveChange") else None
        if event == "candidateStageChange":
            in_offer_stage = (opportunity.stage_name or "").casefold() == offer_stage.casefold()
            return "offer" if in_offer_stage and not opportunity.archived else None
        if event == "candidateArchiveChange" and opportunity.archived:
            return "rejected"  # archived for any reason but a hire: the process ended
        return None

    # ------------------------------------------------------------------ generic
    def generic(self, body: Any, signature: str, now: datetime) -> Handled:
        """A verified generic outcome event; ``signature`` (its v1) names the request, so the
        same signed request sent again is a replay."""
        event = parse(OutcomeEvent, body)

        def work() -> Handled:
            return self._record("outcome", [str(event.candidate_email)], event.company, event.outcome, now)

        handled = self._once("outcome", signature, now, work)
        if handled is None:
            raise Unauthorized("this signed request was already received")
        return handled
