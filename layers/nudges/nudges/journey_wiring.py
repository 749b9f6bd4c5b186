"""The candidate's own journey, built on the AWS adapters (nudges.wiring builds the rest): calendar
connect, the preferences page's choices, join codes and sign-up, interviews added by hand, the
outcome page.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from nudges import config

if TYPE_CHECKING:
    from nudges.services.candidate_choices import CandidateChoices
    from nudges.services.candidate_outcomes import CandidateOutcomes
    from nudges.services.connect import ConnectService
    from nudges.services.email_change import EmailChanges
    from nudges.services.hand_interviews import HandInterviews
    from nudges.services.preferences import PreferenceService
    from nudges.services.signup import SignupService
from nudges.service_builders import _Deferred, _load
from nudges.wiring import (
    _email,
    applications,
    bookings,
    calendar_service,
    candidate_service,
    candidates,
    consent,
    consent_requests,
    interviews,
    join_codes,
    message_log,
    oauth_states,
    outcomes,
    preferences,
    sms,
    sms_consent,
    unsubscribe_keys,
)


@cache
def connect() -> ConnectService:
    """Calendar connect by OAuth: the consent redirect and its callback."""
    specs = _load("nudges.domain.calendars.CALENDAR_PROVIDERS").values()  # each provider's, or its override
    urls = _load("nudges.services.connect.ConsentUrls")(
        auth={p.name: p.auth_url_in(os.environ) for p in specs},
        token={p.name: p.token_url_in(os.environ) for p in specs},
    )
    return _load("nudges.services.connect.ConnectService")(candidates(), oauth_states(), calendar_service(), urls)


@cache
def candidate_choices() -> CandidateChoices:
    """What the candidate changes on their preferences page."""
    return _load("nudges.services.candidate_choices.CandidateChoices")(
        candidate_service(), _Deferred(calendar_service), consent(), _Deferred(consent_requests)
    )


def preferences_link(base_url: str, candidate_id: str) -> str:
    return str(_load("nudges.links.link")(base_url, unsubscribe_keys()[0], "preferences", candidate_id, "preferences"))


@cache
def signup() -> SignupService:
    """Join codes and the join page's double opt-in (mail only on the pages' function)."""
    return _load("nudges.services.signup.SignupService")(
        join_codes(), candidate_service(), candidates(), _Deferred(_email), preferences_link, config.branding()
    )


@cache
def hand_interviews() -> HandInterviews:
    """Interviews added by hand (the API, the candidate's page), booked as a calendar's are."""
    return _load("nudges.services.hand_interviews.HandInterviews")(bookings(), interviews())


@cache
def candidate_outcomes() -> CandidateOutcomes:
    """The candidate's own outcome page."""
    return _load("nudges.services.candidate_outcomes.CandidateOutcomes")(interviews(), applications(), outcomes())


@cache
def email_changes() -> EmailChanges:
    """The candidate's own change of address: a link to the new one, the change on its click."""
    return _load("nudges.services.email_change.EmailChanges")(
        candidate_service(), candidates(), join_codes(), _Deferred(_email), config.branding()
    )


@cache
def preference_service() -> PreferenceService:
    return _load("nudges.services.preferences.PreferenceService")(
        candidates(),
        preferences(),
        sms(),
        lambda *yes: sms_consent()(*yes),  # built on the first YES
        messages=message_log(),
        branding=config.branding(),
        locale_of=lambda number: sms_consent().locale_for(number),  # keywords in the candidate's language
        phone_owners=consent().candidates_for_phone,
    )
