"""Builds the adapters and services a function needs from its environment, once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from nudges import config
from nudges.adapters.aws import LazyClient  # each client built on its first call

if TYPE_CHECKING:
    from nudges.adapters.ats import GreenhouseApi, LeverApi
    from nudges.adapters.consent import ConsentStore
    from nudges.adapters.oauth_states import OAuthStates
    from nudges.adapters.scheduler import NudgeScheduler
    from nudges.adapters.secrets import WebhookSecrets
    from nudges.adapters.store import NudgeStore
    from nudges.domain.candidate import Candidate
    from nudges.services.candidate_choices import CandidateChoices
    from nudges.services.candidates import CandidateService
    from nudges.services.connect import ConnectService
    from nudges.services.offer_sources import OfferSources
    from nudges.services.planning import NudgePlanner
    from nudges.services.sending import MessageComposer
    from nudges.services.sms_consent import SmsConsentService


@cache
def store() -> NudgeStore:
    from nudges.adapters.store import NudgeStore

    return NudgeStore(LazyClient("dynamodb"), config.table_name(), config.retention())


@cache
def scheduler() -> NudgeScheduler:
    from nudges.adapters.scheduler import NudgeScheduler

    return NudgeScheduler(LazyClient("scheduler"), LazyClient("sqs"), config.SchedulingConfig.from_env())


@cache
def planner() -> NudgePlanner:
    from nudges.services.planning import NudgePlanner

    return NudgePlanner(store(), scheduler(), config.timings())


@cache
def webhook_secrets() -> WebhookSecrets:
    import os

    from nudges.adapters.secrets import WebhookSecrets

    return WebhookSecrets(LazyClient("secretsmanager"), os.environ["WEBHOOK_SECRETS_ARN"])


@cache
def unsubscribe_keys() -> list[str]:
    """The key unsubscribe links are signed with (the first) and any still accepted."""
    import os

    from nudges.adapters.secrets import JsonSecret

    return JsonSecret(LazyClient("secretsmanager"), os.environ["UNSUBSCRIBE_KEY_ARN"]).values("key")


@cache
def composer() -> MessageComposer:
    from nudges.domain.messages import WelcomeLinks
    from nudges.links import candidate_links
    from nudges.services.sending import MessageComposer
    from nudges.unsubscribe import unsubscribe_url

    def link(candidate_id: str) -> str | None:
        base = config.public_base_url()
        return unsubscribe_url(base, unsubscribe_keys()[0], candidate_id) if base else None

    def welcome_links(candidate: Candidate) -> WelcomeLinks:
        found = candidate_links(config.public_base_url(), unsubscribe_keys()[0], candidate.candidate_id)
        domain = config.inbox_domain()
        address = f"{candidate.ics_inbox_token}@{domain}" if domain else None
        return WelcomeLinks(found["google"], found["microsoft"], found["preferences"], address)

    return MessageComposer(store(), link, welcome_links, config.timings())


@cache
def consent() -> ConsentStore:
    from nudges.adapters.consent import ConsentStore

    return ConsentStore(LazyClient("dynamodb"), config.table_name(), config.retention())


@cache
def oauth_states() -> OAuthStates:
    from nudges.adapters.oauth_states import OAuthStates

    return OAuthStates(LazyClient("dynamodb"), config.table_name())


def candidates() -> CandidateService:
    """Registering, changing and erasing candidates (nudges re-planned, calendars stopped)."""
    from nudges.services.candidates import CandidateService

    return CandidateService(store(), planner(), scheduler(), calendars, consent())


@cache
def calendars():  # -> CalendarService
    """Calendar connections, notifications and sync (Google Calendar, Microsoft Graph)."""
    import os

    from nudges.adapters.calendars import CalendarStore
    from nudges.adapters.providers import OAuthClientSecrets
    from nudges.models.calendars import interview_pattern
    from nudges.services.bookings import BookingService
    from nudges.services.calendars import CalendarService, CalendarSettings, SyncQueue

    settings = CalendarSettings(
        google_api_base_url=os.environ.get("GOOGLE_API_BASE_URL") or "https://www.googleapis.com",
        google_token_url=os.environ.get("GOOGLE_TOKEN_URL") or "https://oauth2.googleapis.com/token",
        graph_api_base_url=os.environ.get("GRAPH_API_BASE_URL") or "https://graph.microsoft.com/v1.0",
        ms_token_url=os.environ.get("MS_TOKEN_URL") or "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        pattern=interview_pattern(os.environ.get("INTERVIEW_PATTERN")),
    )
    return CalendarService(
        store(),
        CalendarStore(LazyClient("dynamodb"), config.table_name()),
        lambda: BookingService(store(), planner()),  # only the sync function plans
        SyncQueue(LazyClient("sqs"), os.environ["CALENDAR_SYNC_QUEUE_URL"]),
        OAuthClientSecrets(LazyClient("secretsmanager"), os.environ.get("CALENDAR_OAUTH_SECRET_ARN", "")),
        settings,
    )


def _api_key(name: str) -> str:
    from nudges.errors import NudgesError

    keys = webhook_secrets().for_provider(name)
    if not keys:
        raise NudgesError(f"no {name} in the WebhookSecrets secret")
    return keys[0]


@cache
def offer_sources() -> OfferSources:
    from nudges.services.offer_sources import OfferSources
    from nudges.services.outcomes import OutcomeService

    return OfferSources(store(), OutcomeService(store(), planner()))


def lever_api() -> LeverApi:
    from nudges.adapters.ats import LeverApi

    return LeverApi(config.lever_api_base_url(), _api_key("lever_api_key"))


def greenhouse_api() -> GreenhouseApi:
    from nudges.adapters.ats import GreenhouseApi

    return GreenhouseApi(config.greenhouse_api_base_url(), _api_key("greenhouse_api_key"))


@cache
def connect() -> ConnectService:
    """Calendar connect by OAuth: the consent redirect and its callback."""
    import os

    from nudges.services.connect import ConnectService, ConsentUrls

    urls = ConsentUrls(
        google_auth_url=os.environ.get("GOOGLE_AUTH_URL") or "https://accounts.google.com/o/oauth2/v2/auth",
        ms_auth_url=os.environ.get("MS_AUTH_URL") or "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        google_token_url=os.environ.get("GOOGLE_TOKEN_URL") or "https://oauth2.googleapis.com/token",
        ms_token_url=os.environ.get("MS_TOKEN_URL") or "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    )
    return ConnectService(store(), oauth_states(), calendars(), urls)


@cache
def sms_consent() -> SmsConsentService:
    """A YES by SMS kept as consent (the inbound SMS handler's YES)."""
    from nudges.adapters.sms import SmsSender
    from nudges.services.sms_consent import SmsConsentService

    return SmsConsentService(store(), consent(), SmsSender(LazyClient("sns")))


def candidate_choices() -> CandidateChoices:
    """What the candidate changes on their preferences page."""
    from nudges.services.candidate_choices import CandidateChoices

    return CandidateChoices(candidates(), calendars, consent())
