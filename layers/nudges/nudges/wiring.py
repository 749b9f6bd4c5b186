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

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from nudges import config
from nudges.adapters.aws import LazyClient  # each client built on its first call

if TYPE_CHECKING:
    from nudges.adapters.applications import ApplicationRepository
    from nudges.adapters.calendar_connections import CalendarConnections
    from nudges.adapters.candidate_directory import CandidateDirectory
    from nudges.adapters.candidates import CandidateRepository
    from nudges.adapters.consent import ConsentStore
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
    from nudges.domain.service_messages import WelcomeLinks
    from nudges.services.bookings import BookingService
    from nudges.services.candidate_calendars import CalendarService
    from nudges.services.candidates import CandidateService
    from nudges.services.composing import MessageComposer
    from nudges.services.consent_requests import ConsentRequestService
    from nudges.services.email_change import EmailChangeNotice
    from nudges.services.invites import InviteService
    from nudges.services.message_events import MessageEvents
    from nudges.services.outcomes import OutcomeService
    from nudges.services.planning import NudgePlanner
    from nudges.services.ports import (
        ChannelSender,
        SmsOut,
        WhatsAppOut,
    )
    from nudges.services.receipts import InviteReceipts
    from nudges.services.sending import SendService
    from nudges.services.sms_consent import SmsConsentService
    from nudges.services.whatsapp import WhatsAppKeywords
from nudges.service_builders import (
    Ports,
    _Deferred,
    _load,
    build_bookings,
    build_composer,
    build_outcomes,
    build_planner,
    build_sender,
)


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


@cache
def join_codes() -> JoinCodes:
    return _repository("nudges.adapters.join_codes.JoinCodes")


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
        return _load("nudges.domain.service_messages.WelcomeLinks")(
            {p: found[p] for p in configured},
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
    google, microsoft = _load("nudges.domain.calendars.GOOGLE"), _load("nudges.domain.calendars.MICROSOFT")
    settings = _load("nudges.services.candidate_calendars.CalendarSettings")(
        google_api_base_url=os.environ.get("GOOGLE_API_BASE_URL") or "https://www.googleapis.com",
        google_token_url=google.token_url_in(os.environ),
        microsoft_api_base_url=os.environ.get("GRAPH_API_BASE_URL") or "https://graph.microsoft.com/v1.0",
        microsoft_token_url=microsoft.token_url_in(os.environ),
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


# ---------------------------------------------------------------------- the candidate's journey (more: journey_wiring)
@cache
def sms_consent() -> SmsConsentService:
    """A YES by SMS kept as consent (the inbound SMS handler's YES)."""
    return _load("nudges.services.sms_consent.SmsConsentService")(candidates(), consent(), config.branding())


@cache
def _oauth_clients() -> Any:
    return _load("nudges.adapters.calendar_apis.OAuthClientSecrets")(
        LazyClient("secretsmanager"), os.environ.get("CALENDAR_OAUTH_SECRET_ARN", "")
    )


def configured_providers() -> tuple[str, ...]:
    """The calendar providers whose OAuth client the operator has set up: only these get connect
    links (welcome, preferences page, ``connect_urls``). The secret is read at most every few
    minutes, so a client filled in later shows without a restart. In the registry's order."""
    if not os.environ.get("CALENDAR_OAUTH_SECRET_ARN"):
        return ()
    try:
        names = _load("nudges.domain.calendars.PROVIDER_NAMES")
        return tuple(p for p in names if _oauth_clients().for_provider(p) is not None)
    except Exception:  # an unreadable or empty secret: no provider is set up
        return ()


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


# ---------------------------------------------------------------------- the services built on AWS (service_builders)
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
