"""The one composition root: every adapter and service a function uses is built here, from the
environment template.yaml gives it, once per process and only when first asked for.

This is the service's one lazy seam (with ``LazyClient`` for boto3 clients): a handler module
imports what it uses at its top, and Lambda imports only that one function's module, so each
function pays for its own imports and no more. What the wiring builds is reached through
``_load``, so importing ``nudges.wiring`` itself costs nothing: the Cal.com function never
imports the calendar or outcome services, the sender never imports a pydantic model.

A dependency that costs a call to build (an ATS API client needs its key from Secrets Manager;
the calendar service its OAuth settings) is handed over as ``_Deferred``: an instance like any
other, built on its first use, so services receive instances only.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from nudges import config
from nudges.adapters.aws import LazyClient  # each client built on its first call
from nudges.errors import NudgesError

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.adapters.applications import ApplicationRepository
    from nudges.adapters.ats import GreenhouseApi, LeverApi
    from nudges.adapters.audit_log import AuditLog
    from nudges.adapters.calendar_connections import CalendarConnections
    from nudges.adapters.candidate_directory import CandidateDirectory
    from nudges.adapters.candidates import CandidateRepository
    from nudges.adapters.consent import ConsentStore
    from nudges.adapters.console_sessions import ConsoleSessions
    from nudges.adapters.contact_preferences import ContactPreferences
    from nudges.adapters.interviews import InterviewRepository
    from nudges.adapters.join_codes import JoinCodes
    from nudges.adapters.mailbox import Mailbox
    from nudges.adapters.message_log import MessageLog
    from nudges.adapters.nudge_ledger import NudgeLedger
    from nudges.adapters.oauth_states import OAuthStates
    from nudges.adapters.retention import Retention
    from nudges.adapters.scheduler import NudgeScheduler
    from nudges.adapters.secrets import WebhookSecrets
    from nudges.adapters.webhook_receipts import WebhookReceipts
    from nudges.domain.candidate import Candidate
    from nudges.domain.messages import Branding, WelcomeLinks
    from nudges.domain.plan import NudgeTimings
    from nudges.services.adviser_accounts import AdviserAccountService
    from nudges.services.adviser_actions import AdviserActions
    from nudges.services.adviser_candidate_actions import AdviserCandidateActions
    from nudges.services.adviser_views import AdviserViews
    from nudges.services.bookings import BookingService
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.candidate_choices import CandidateChoices
    from nudges.services.candidate_outcomes import CandidateOutcomes
    from nudges.services.candidates import CandidateService, Timeline
    from nudges.services.connect import ConnectService
    from nudges.services.consent_requests import ConsentRequestService
    from nudges.services.console_auth import ConsoleAuth
    from nudges.services.email_change import EmailChangeNotice, EmailChanges
    from nudges.services.hand_interviews import HandInterviews
    from nudges.services.invites import InviteService
    from nudges.services.join_code_actions import JoinCodeActions
    from nudges.services.message_events import MessageEvents
    from nudges.services.outcome_sources import OutcomeSources
    from nudges.services.outcomes import OutcomeService
    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import (
        Applications,
        Candidates,
        ChannelSender,
        Interviews,
        Messages,
        Nudges,
        Preferences,
        Scheduler,
        SmsOut,
        WhatsAppOut,
    )
    from nudges.services.ports import Retention as RetentionPort
    from nudges.services.preferences import PreferenceService
    from nudges.services.receipts import InviteReceipts
    from nudges.services.reports import Reports
    from nudges.services.sending import MessageComposer, SendService
    from nudges.services.signup import SignupService
    from nudges.services.sms_consent import SmsConsentService
    from nudges.services.whatsapp import WhatsAppKeywords


def _load(path: str) -> Any:
    """``module.attribute``, imported now: the one place the layer defers an import."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class _Deferred:
    """An instance built by ``build`` on its first attribute access (then that instance)."""

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._built: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = self._build()
        return getattr(self._built, name)


# ---------------------------------------------------------------------- repositories (one table)
def _repository(path: str) -> Any:
    return _load(path)(LazyClient("dynamodb"), config.table_name(), config.retention())


@cache
def candidates() -> CandidateRepository:
    return _repository("nudges.adapters.candidates.CandidateRepository")


@cache
def interviews() -> InterviewRepository:
    return _repository("nudges.adapters.interviews.InterviewRepository")


@cache
def applications() -> ApplicationRepository:
    return _repository("nudges.adapters.applications.ApplicationRepository")


@cache
def nudges() -> NudgeLedger:
    return _repository("nudges.adapters.nudge_ledger.NudgeLedger")


@cache
def receipts() -> WebhookReceipts:
    return _repository("nudges.adapters.webhook_receipts.WebhookReceipts")


@cache
def preferences() -> ContactPreferences:
    return _repository("nudges.adapters.contact_preferences.ContactPreferences")


@cache
def retention() -> Retention:
    return _repository("nudges.adapters.retention.Retention")


@cache
def consent() -> ConsentStore:
    """The candidate's consent records: a YES by SMS, their own email unsubscribe lifted."""
    return _repository("nudges.adapters.consent.ConsentStore")


@cache
def oauth_states() -> OAuthStates:
    return _repository("nudges.adapters.oauth_states.OAuthStates")


@cache
def calendar_connections() -> CalendarConnections:
    return _repository("nudges.adapters.calendar_connections.CalendarConnections")


@cache
def candidate_directory() -> CandidateDirectory:
    return _repository("nudges.adapters.candidate_directory.CandidateDirectory")


@cache
def message_log() -> MessageLog:
    return _repository("nudges.adapters.message_log.MessageLog")


# ---------------------------------------------------------------------- other adapters
@cache
def scheduler() -> NudgeScheduler:
    return _load("nudges.adapters.scheduler.NudgeScheduler")(
        LazyClient("scheduler"), LazyClient("sqs"), config.SchedulingConfig.from_env()
    )


@cache
def webhook_secrets() -> WebhookSecrets:
    return _load("nudges.adapters.secrets.WebhookSecrets")(
        LazyClient("secretsmanager"), os.environ["WEBHOOK_SECRETS_ARN"]
    )


@cache
def unsubscribe_keys() -> list[str]:
    """The key unsubscribe links are signed with (the first) and any still accepted."""
    secret = _load("nudges.adapters.secrets.JsonSecret")(
        LazyClient("secretsmanager"), os.environ["UNSUBSCRIBE_KEY_ARN"]
    )
    return list(secret.values("key"))


@cache
def sms() -> SmsOut:
    """End User Messaging SMS (each text's fate in the message log), or SNS where the template's
    SmsService chooses it (docs/operations.md says what that loses)."""
    if config.sms_service() == "sns":
        return _load("nudges.adapters.sms.SmsSender")(LazyClient("sns"))
    return _load("nudges.adapters.sms.EndUserMessagingSms")(
        LazyClient("pinpoint-sms-voice-v2"),
        os.environ.get("SMS_ORIGINATION_IDENTITY", ""),
        os.environ.get("SMS_CONFIGURATION_SET") or None,
    )


@cache
def mailbox() -> Mailbox:
    return _load("nudges.adapters.mailbox.Mailbox")(LazyClient("s3"))


def _api_key(name: str) -> str:
    keys = webhook_secrets().for_provider(name)
    if not keys:
        raise NudgesError(f"no {name} in the WebhookSecrets secret")
    return keys[0]


def lever_api() -> LeverApi:
    """Built on its first call (it reads its key, cached a few minutes, from Secrets Manager)."""
    build = _load("nudges.adapters.ats.LeverApi")
    deferred: Any = _Deferred(lambda: build(config.lever_api_base_url(), _api_key("lever_api_key")))
    return deferred


def greenhouse_api() -> GreenhouseApi:
    """Built on its first call (it reads its key, cached a few minutes, from Secrets Manager)."""
    build = _load("nudges.adapters.ats.GreenhouseApi")
    deferred: Any = _Deferred(lambda: build(config.greenhouse_api_base_url(), _api_key("greenhouse_api_key")))
    return deferred


# ---------------------------------------------------------------------- services
@cache
def planner() -> NudgePlanner:
    return build_planner(AWS, config.timings())


@cache
def bookings() -> BookingService:
    return build_bookings(AWS, planner())


@cache
def invites() -> InviteService:
    work = os.environ.get("INVITE_WORK_QUEUE_URL")
    return _load("nudges.services.invites.InviteService")(
        candidates(),
        bookings(),
        mailbox(),
        invite_receipts(),
        interviews(),
        files=_repository("nudges.adapters.invite_work.InviteFiles") if work else None,
        queue=_load("nudges.adapters.invite_work.InviteWorkQueue")(LazyClient("sqs"), work) if work else None,
        accounts=calendar_connections(),  # the connected calendars' accounts are the candidate's
    )


def _email() -> Any:
    return _load("nudges.adapters.email.EmailSender")(
        LazyClient("sesv2"),
        os.environ["SENDER_EMAIL"],
        os.environ.get("CONFIGURATION_SET_NAME"),
        from_name=config.branding().sender_name,
    )


def invite_receipts() -> InviteReceipts | None:
    """Answers to forwarded mail (the inbox mail function's, which has a sender address), unless
    the template's AcknowledgeForwardedInvites is false."""
    if os.environ.get("ACKNOWLEDGE_FORWARDED_INVITES", "false").lower() != "true" or "SENDER_EMAIL" not in os.environ:
        return None

    def add_interview(candidate_id: str, subject: str | None) -> str | None:
        base = config.public_base_url()
        return (
            _load("nudges.links.add_interview_link")(base, unsubscribe_keys()[0], candidate_id, subject)
            if base
            else None
        )

    return _load("nudges.services.receipts.InviteReceipts")(
        nudges(),
        preferences(),
        receipts(),
        _email(),
        composer().unsubscribe_link,
        config.branding(),
        add_interview,
        message_log(),
    )


@cache
def outcomes() -> OutcomeService:
    return build_outcomes(AWS, planner())


@cache
def outcome_sources() -> OutcomeSources:
    return _load("nudges.services.outcome_sources.OutcomeSources")(receipts(), outcomes())


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


@cache
def message_events() -> MessageEvents:
    """Texts' and WhatsApp messages' statuses into the message log (the message events function)."""
    return _load("nudges.services.message_events.MessageEvents")(
        message_log(), lambda message, now: whatsapp_keywords().received(message, now)
    )


@cache
def composer() -> MessageComposer:
    unsubscribe_url = _load("nudges.unsubscribe.unsubscribe_url")

    def link(candidate_id: str) -> str | None:
        base = config.public_base_url()
        return unsubscribe_url(base, unsubscribe_keys()[0], candidate_id) if base else None

    def welcome_links(candidate: Candidate) -> WelcomeLinks:
        found = _load("nudges.links.candidate_links")(
            config.public_base_url(), unsubscribe_keys()[0], candidate.candidate_id
        )
        domain = config.inbox_domain()
        address = f"{candidate.ics_inbox_token}@{domain}" if domain else None
        configured = configured_providers()  # connect links only for providers set up
        return _load("nudges.domain.messages.WelcomeLinks")(
            found["google"] if "google" in configured else None,
            found["microsoft"] if "microsoft" in configured else None,
            found["preferences"],
            address,
            found["preferences_short"],
        )

    def outcome(candidate_id: str, application_id: str) -> str | None:
        base = config.public_base_url()
        return (
            _load("nudges.links.outcome_link")(base, unsubscribe_keys()[0], candidate_id, application_id)
            if base
            else None
        )

    return build_composer(AWS, link, config.branding(), welcome_links, config.timings(), outcome)


@cache
def sender() -> SendService:
    # The timings: a nudge is checked again at send time for whether it still helps.
    return build_sender(AWS, composer(), channel_senders(), config.timings())


def channel_senders() -> dict[str, ChannelSender]:
    """Every channel's sender (nudges.domain.channels), by name: a new channel adds its own here."""
    return _load("nudges.services.channel_senders.senders")(
        _email(), sms(), _load("nudges.services.whatsapp.WhatsAppChannel")(whatsapp())
    )


@cache
def whatsapp() -> WhatsAppOut:
    """End User Messaging Social from the template's WhatsAppPhoneNumberId (empty: no WhatsApp)."""
    return _load("nudges.adapters.whatsapp.WhatsAppSender")(
        LazyClient("socialmessaging"), os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
    )


@cache
def whatsapp_keywords() -> WhatsAppKeywords:
    """STOP, START and HELP by WhatsApp (the message events function)."""
    replies = _load("nudges.domain.whatsapp.reply")
    branding = config.branding()
    inbox = _repository("nudges.adapters.whatsapp_inbox.WhatsAppInbox")
    on_yes = _load("nudges.services.whatsapp.WhatsAppConsent")(
        candidates(), consent(), inbox, lambda locale: replies("yes", locale, branding)
    )
    return _load("nudges.services.whatsapp.WhatsAppKeywords")(
        inbox, whatsapp(), lambda keyword, locale="en-GB": replies(keyword, locale, branding), on_yes
    )


@cache
def calendar_service() -> CalendarService:
    """Calendar connections, notifications and sync (Google Calendar, Microsoft 365)."""
    settings = _load("nudges.services.candidate_calendars.CalendarSettings")(
        google_api_base_url=os.environ.get("GOOGLE_API_BASE_URL") or "https://www.googleapis.com",
        google_token_url=os.environ.get("GOOGLE_TOKEN_URL") or "https://oauth2.googleapis.com/token",
        microsoft_api_base_url=os.environ.get("GRAPH_API_BASE_URL") or "https://graph.microsoft.com/v1.0",
        microsoft_token_url=os.environ.get("MS_TOKEN_URL")
        or "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        pattern=_load("nudges.models.calendar_events.interview_pattern")(os.environ.get("INTERVIEW_PATTERN")),
    )
    return _load("nudges.services.candidate_calendars.CalendarService")(
        candidates(),
        interviews(),
        calendar_connections(),
        _Deferred(bookings),  # only the sync function plans
        _load("nudges.services.candidate_calendars.SyncQueue")(
            LazyClient("sqs"), os.environ["CALENDAR_SYNC_QUEUE_URL"]
        ),
        _load("nudges.adapters.calendar_apis.OAuthClientSecrets")(
            LazyClient("secretsmanager"), os.environ.get("CALENDAR_OAUTH_SECRET_ARN", "")
        ),
        settings,
    )


@cache
def candidate_service() -> CandidateService:
    # The calendar service is built only when a candidate is erased (other functions lack its env).
    return _load("nudges.services.candidates.CandidateService")(
        candidates(),
        interviews(),
        applications(),
        nudges(),
        retention(),
        planner(),
        scheduler(),
        _Deferred(calendar_service),
        consent(),
        _Deferred(consent_requests),  # built when a change asks for a YES (sms)
        default_locale=config.default_locale(),
        # The old address told of a change, where the function mails (operator API, candidate pages).
        email_changed=_Deferred(email_change_notice) if "SENDER_EMAIL" in os.environ else None,
    )


@cache
def email_change_notice() -> EmailChangeNotice:
    """The notice to a candidate's old address when it changed (services.email_change)."""
    return _load("nudges.services.email_change.EmailChangeNotice")(
        _email(), message_log(), preferences().email_suppressed, config.branding()
    )


@cache
def email_changes() -> EmailChanges:
    """The candidate's own change of address: a link to the new one, the change on its click."""
    return _load("nudges.services.email_change.EmailChanges")(
        candidate_service(), candidates(), join_codes(), _Deferred(_email), config.branding()
    )


# ---------------------------------------------------------------------- the candidate's journey
@cache
def connect() -> ConnectService:
    """Calendar connect by OAuth: the consent redirect and its callback."""
    urls = _load("nudges.services.connect.ConsentUrls")(
        google_auth_url=os.environ.get("GOOGLE_AUTH_URL") or "https://accounts.google.com/o/oauth2/v2/auth",
        microsoft_auth_url=os.environ.get("MS_AUTH_URL")
        or "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        google_token_url=os.environ.get("GOOGLE_TOKEN_URL") or "https://oauth2.googleapis.com/token",
        microsoft_token_url=os.environ.get("MS_TOKEN_URL")
        or "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    )
    return _load("nudges.services.connect.ConnectService")(candidates(), oauth_states(), calendar_service(), urls)


@cache
def sms_consent() -> SmsConsentService:
    """A YES by SMS kept as consent (the inbound SMS handler's YES)."""
    return _load("nudges.services.sms_consent.SmsConsentService")(candidates(), consent(), config.branding())


@cache
def candidate_choices() -> CandidateChoices:
    """What the candidate changes on their preferences page."""
    return _load("nudges.services.candidate_choices.CandidateChoices")(
        candidate_service(), _Deferred(calendar_service), consent(), _Deferred(consent_requests)
    )


# ---------------------------------------------------------------------- self-service (join, add an interview)
@cache
def join_codes() -> JoinCodes:
    return _repository("nudges.adapters.join_codes.JoinCodes")


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
def _oauth_clients() -> Any:
    return _load("nudges.adapters.calendar_apis.OAuthClientSecrets")(
        LazyClient("secretsmanager"), os.environ.get("CALENDAR_OAUTH_SECRET_ARN", "")
    )


def configured_providers() -> frozenset[str]:
    """The calendar providers whose OAuth client the operator has set up: only these get connect
    links (welcome, preferences page, ``connect_urls``). The secret is read at most every few
    minutes, so a client filled in later shows without a restart."""
    if not os.environ.get("CALENDAR_OAUTH_SECRET_ARN"):
        return frozenset()
    try:
        return frozenset(p for p in ("google", "microsoft") if _oauth_clients().for_provider(p) is not None)
    except Exception:  # an unreadable or empty secret: no provider is set up
        return frozenset()


@cache
def consent_requests() -> ConsentRequestService:
    """The "reply YES" request: once per number; again on the candidate's or an adviser's asking
    (the console's resend calls ``consent_requests().ask(candidate, now)``)."""
    return _load("nudges.services.consent_requests.ConsentRequestService")(
        _repository("nudges.adapters.consent_requests.ConsentRequests"),
        sms(),
        preferences(),
        config.branding().operator_name,
    )


# ---------------------------------------------------------------------- the advisers' console
@cache
def console_sessions() -> ConsoleSessions:
    return _repository("nudges.adapters.console_sessions.ConsoleSessions")


@cache
def console_auth() -> ConsoleAuth:
    """Sign-in through the stack's pool, sessions in the table, tokens verified on every request."""
    pool_id, client_id = os.environ["ADVISER_POOL_ID"], os.environ["CONSOLE_CLIENT_ID"]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    tokens = importlib.import_module("nudges.adapters.tokens")
    verifier = tokens.TokenVerifier(pool_id, client_id, region, tokens.jwks_keys(tokens.jwks_url(region, pool_id)))
    pool = _load("nudges.adapters.adviser_pool.AdviserPool")(LazyClient("cognito-idp"), pool_id, client_id)
    return _load("nudges.services.console_auth.ConsoleAuth")(pool, verifier, console_sessions())


@cache
def adviser_views() -> AdviserViews:
    return _load("nudges.services.adviser_views.AdviserViews")(
        candidate_directory(),
        candidates(),
        preferences(),
        candidate_service(),
        calendar_connections(),
        message_log(),
        nudges(),
    )


@cache
def reports() -> Reports:
    """The console's reports (messages, unreachable candidates, outcomes per cohort)."""
    return _load("nudges.services.reports.Reports")(
        message_log(), adviser_views(), candidate_directory(), applications(), interviews()
    )


@cache
def audit_log() -> AuditLog:
    """Every adviser action, kept ``AuditRetentionDays`` (not the candidates' retention)."""
    return _load("nudges.adapters.audit_log.AuditLog")(
        LazyClient("dynamodb"), config.table_name(), config.audit_retention()
    )


@cache
def adviser_actions() -> AdviserActions:
    return _load("nudges.services.adviser_actions.AdviserActions")(
        candidate_service(), outcomes(), consent_requests(), audit_log()
    )


@cache
def adviser_candidate_actions() -> AdviserCandidateActions:
    """The console's add, import, edit and hand-added interviews (nudges.console_candidates)."""
    return _load("nudges.services.adviser_candidate_actions.AdviserCandidateActions")(
        candidate_service(), hand_interviews(), audit_log()
    )


@cache
def adviser_accounts() -> AdviserAccountService:
    """Admins manage the pool's advisers; invitations mailed through SES (``adviser_invitation``)."""
    accounts = _load("nudges.adapters.adviser_accounts.AdviserAccounts")(
        LazyClient("cognito-idp"), os.environ["ADVISER_POOL_ID"]
    )
    return _load("nudges.services.adviser_accounts.AdviserAccountService")(
        accounts,
        _repository("nudges.adapters.adviser_invitations.AdviserInvitations"),
        console_sessions(),
        _Deferred(_email),
        audit_log(),
        config.branding().operator_name,
        config.default_locale,
    )


@cache
def join_code_actions() -> JoinCodeActions:
    """Join codes from the console, through the operator API's own ``signup()``."""
    return _load("nudges.services.join_code_actions.JoinCodeActions")(signup(), candidate_directory(), audit_log())


# ---------------------------------------------------------------------- one way to build the services
class Ports(Protocol):
    """What the services are built on, by name: the AWS adapters above (``AWS``), the tests'
    in-memory fakes (``tests.fakes.repositories.World``), the message book's store in memory
    (``scripts/messages.py``), the local console's read-only repositories. Each builder below
    reads only the ports its service needs, so everything that builds a service builds it here."""

    candidates: Candidates
    interviews: Interviews
    applications: Applications
    nudges: Nudges
    scheduler: Scheduler
    retention: RetentionPort
    preferences: Preferences
    message_log: Messages


class _AwsPorts:
    """The AWS adapters as ports, each built on its first use (as the functions above build them)."""

    candidates = property(lambda self: candidates())
    interviews = property(lambda self: interviews())
    applications = property(lambda self: applications())
    nudges = property(lambda self: nudges())
    scheduler = property(lambda self: scheduler())
    retention = property(lambda self: retention())
    preferences = property(lambda self: preferences())
    message_log = property(lambda self: message_log())


AWS: Ports = _AwsPorts()


def build_planner(ports: Ports, timings: NudgeTimings) -> NudgePlanner:
    return _load("nudges.services.planning.NudgePlanner")(
        ports.interviews, ports.applications, ports.nudges, ports.scheduler, timings
    )


def build_bookings(ports: Ports, planner: NudgePlanner) -> BookingService:
    return _load("nudges.services.bookings.BookingService")(
        ports.interviews, ports.candidates, ports.retention, planner
    )


def build_outcomes(ports: Ports, planner: NudgePlanner) -> OutcomeService:
    return _load("nudges.services.outcomes.OutcomeService")(
        ports.interviews, ports.applications, ports.candidates, ports.retention, planner
    )


def build_composer(
    ports: Ports,
    unsubscribe_link: Callable[[str], str | None],
    branding: Branding | None = None,
    welcome_links: Callable[[Candidate], WelcomeLinks] | None = None,
    timings: NudgeTimings | None = None,
    outcome_link: Callable[[str, str], str | None] | None = None,
) -> MessageComposer:
    compose = _load("nudges.services.sending.MessageComposer")
    more = {"branding": branding} if branding is not None else {}
    return compose(
        ports.interviews,
        ports.applications,
        ports.candidates,
        unsubscribe_link,
        welcome_links=welcome_links,
        timings=timings,
        outcome_link=outcome_link,
        **more,
    )


def build_sender(
    ports: Ports, composer: MessageComposer, senders: dict[str, ChannelSender], timings: NudgeTimings | None = None
) -> SendService:
    # The timings: a nudge is checked again at send time for whether it still helps.
    return _load("nudges.services.sending.SendService")(
        ports.nudges, ports.preferences, composer, senders, timings, ports.message_log
    )


def build_timeline(ports: Ports) -> Timeline:
    """The operators' interview timeline, read only (the API's and the local console's)."""
    return _load("nudges.services.candidates.Timeline")(
        ports.candidates, ports.interviews, ports.applications, ports.nudges
    )
