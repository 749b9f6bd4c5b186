"""What the candidate changes on their own preferences page, one form at a time: erase
themselves (confirmed), disconnect a calendar, turn email back on after their own unsubscribe,
or save their settings (channels, pause, kinds, zone, language), after which the nudges still
ahead are re-planned. Each answers the notice the page shows next; bad input changes nothing.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

from nudges.domain.catalog import catalog
from nudges.domain.locales import LOCALES
from nudges.errors import InvalidInput
from nudges.models.forms import phone_number
from nudges.observability import logger
from nudges.services.calendar_providers import PROVIDER_NAMES


# The word typed to confirm an erasure: the page's own (``page.erase.word``), in any language, so
# a page shown in one language and answered after a switch to another still works.
@cache
def erase_words() -> frozenset[str]:
    return frozenset(catalog(x.code).text("page.erase.word").casefold() for x in LOCALES)


if TYPE_CHECKING:
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.models.api import CandidateChanges
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.candidates import CandidateService
    from nudges.services.consent_requests import ConsentRequestService
    from nudges.services.ports import PhoneConsent

Form = dict[str, list[str]]
Notice = Literal["saved", "erased", "disconnected", "resubscribed", "consent_requested"]


class CandidateChoices:
    def __init__(
        self,
        candidates: CandidateService,
        calendars: CalendarService,
        consent: PhoneConsent,
        consent_requests: ConsentRequestService | None = None,
    ) -> None:
        self._consent_requests = consent_requests
        self._candidates = candidates
        self._calendars = calendars
        self._consent = consent

    def apply(self, candidate: Candidate, form: Form, changes: CandidateChanges | None, now: datetime) -> Notice:
        """``changes``: the settings form, parsed at the edge (None for the other forms)."""

        def one(name: str) -> str:
            return (form.get(name) or [""])[0].strip()

        if one("erase") == "on":
            if one("confirm").casefold() not in erase_words():
                raise InvalidInput("confirm: type erase to confirm erasing your data", field="confirm")
            self._candidates.delete(candidate.candidate_id)
            logger.info("candidate erased themselves", extra={"candidate_id": candidate.candidate_id})
            return "erased"
        if one("disconnect"):
            provider, _, calendar_id = one("disconnect").partition(":")
            if provider not in PROVIDER_NAMES or not calendar_id:
                raise InvalidInput("disconnect: must be <provider>:<calendar_id>", field="disconnect")
            if not self._calendars.disconnect(candidate.candidate_id, provider, calendar_id):
                raise InvalidInput("disconnect: that calendar is not connected", field="disconnect")
            return "disconnected"
        if one("ask_consent") == "on" and self._consent_requests is not None:
            # The candidate asks for the YES text again, on their own page.
            if not self._consent_requests.ask(candidate, now, again=True):
                raise InvalidInput(
                    "ask_consent: no text can be sent to ask (no number, or texts are on already)", field="ask_consent"
                )
            return "consent_requested"
        if one("resubscribe_email") == "on":
            if not self._consent.resubscribe_email(candidate.email):
                raise InvalidInput(
                    "resubscribe_email: email is not off by your own unsubscribe, so it cannot be turned on here",
                    field="resubscribe_email",
                )
            logger.info("resubscribed to email", extra={"candidate_id": candidate.candidate_id})
            return "resubscribed"
        if changes is not None:
            self._candidates.update(candidate.candidate_id, changes, now)
            return "saved"
        raise InvalidInput("the form had nothing to change", field="form")


def settings_of(form: Form, candidate: Candidate) -> dict[str, object] | None:
    """The settings form's fields as ``CandidateChanges`` reads them, or None for another form.
    An unticked box sends nothing, so what is absent is off."""
    if "timezone" not in form or any(form.get(k) for k in ("erase", "disconnect", "resubscribe_email", "ask_consent")):
        return None
    one = (form.get("locale") or [""])[0].strip()
    drafts = (form.get("draft_locale") or [""])[0].strip()
    settings: dict[str, object] = {
        "draft_locale": drafts or candidate.drafts_in,
        "channels": form.get("channels", []),
        "timezone": (form.get("timezone") or [""])[0].strip(),
        "locale": one or candidate.locale,
        "paused": (form.get("paused") or [""])[0] == "on",
        "kinds_off": form.get("kinds_off", []),
    }
    if "phone" in form:
        # As people type it (spaces, a national number with the chosen country); empty removes it.
        typed = (form.get("phone") or [""])[0].strip()
        country = (form.get("country") or [""])[0].strip()
        try:
            settings["phone"] = phone_number(typed, country) if typed else None
        except ValueError:
            raise InvalidInput("phone: not a phone number for the chosen country", field="phone") from None
        if settings["phone"] == candidate.phone:
            del settings["phone"]  # unchanged: no new YES asked
    return settings
