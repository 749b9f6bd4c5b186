"""Settings from the environment that template.yaml gives each function."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time, timedelta

from nudges.domain.locales import DEFAULT_LOCALE, canonical
from nudges.domain.messages import Branding
from nudges.domain.plan import NudgeTimings


def _hours(name: str, default: float) -> timedelta:
    return timedelta(hours=float(os.environ.get(name) or default))


def _clock(name: str, default: str) -> time:
    return time.fromisoformat(os.environ.get(name) or default)


def timings() -> NudgeTimings:
    return NudgeTimings(
        research_lead=_hours("RESEARCH_PROMPT_LEAD_HOURS", 48),
        research_min_lead=_hours("RESEARCH_PROMPT_MIN_LEAD_HOURS", 1),
        thank_you_delay=_hours("THANK_YOU_DELAY_HOURS", 1),
        quiet_start=_clock("QUIET_HOURS_START", "21:00"),
        quiet_end=_clock("QUIET_HOURS_END", "08:00"),
        follow_up_days=int(float(os.environ.get("FOLLOW_UP_DAYS") or 7)),
        follow_up_useful=timedelta(days=float(os.environ.get("FOLLOW_UP_USEFUL_DAYS") or 14)),
        quiet_spread=timedelta(minutes=float(os.environ.get("QUIET_HOURS_SPREAD_MINUTES") or 30)),
    )


@dataclass(frozen=True)
class SchedulingConfig:
    group_name: str
    role_arn: str
    target_arn: str
    dead_letter_arn: str
    send_queue_url: str

    @classmethod
    def from_env(cls) -> SchedulingConfig:
        return cls(
            group_name=os.environ["SCHEDULE_GROUP_NAME"],
            role_arn=os.environ["SCHEDULER_ROLE_ARN"],
            target_arn=os.environ["SENDER_FUNCTION_ARN"],
            dead_letter_arn=os.environ["DEAD_LETTER_QUEUE_ARN"],
            send_queue_url=os.environ["SEND_QUEUE_URL"],
        )


def branding() -> Branding:
    """Who the messages come from: SenderName, OperatorName and SupportEmail in the template."""
    default = Branding()
    return Branding(
        sender_name=os.environ.get("SENDER_NAME") or default.sender_name,
        operator_name=os.environ.get("OPERATOR_NAME") or default.operator_name,
        support_email=os.environ.get("SUPPORT_EMAIL") or None,
    )


def table_name() -> str:
    return os.environ["TABLE_NAME"]


def retention() -> timedelta:
    return timedelta(days=float(os.environ.get("DATA_RETENTION_DAYS") or 180))


def public_base_url(request_domain: str | None = None) -> str:
    """Where providers and links reach the API: the configured URL, else the request's own host."""
    configured = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    if configured:
        return configured
    return f"https://{request_domain}" if request_domain else ""


def inbox_domain() -> str | None:
    """The domain whose mail SES receives for candidates' invite inboxes, if one is set up."""
    return os.environ.get("INBOX_DOMAIN", "").strip().lower() or None


def lever_api_base_url() -> str:
    return os.environ.get("LEVER_API_BASE_URL") or "https://api.lever.co/v1"


def greenhouse_api_base_url() -> str:
    return os.environ.get("GREENHOUSE_API_BASE_URL") or "https://harvest.greenhouse.io/v1"


def lever_offer_stage() -> str:
    """The Lever pipeline stage whose entry means an offer (``LeverOfferStage`` in the template)."""
    return os.environ.get("LEVER_OFFER_STAGE") or "Offer"


def default_locale() -> str:
    """The language of a candidate registered without one (``DefaultLocale`` in the template)."""
    return canonical(os.environ.get("DEFAULT_LOCALE") or "") or DEFAULT_LOCALE


def sms_service() -> str:
    """How texts go out (``SmsService`` in the template): ``end-user-messaging`` or ``sns``."""
    return (os.environ.get("SMS_SERVICE") or "end-user-messaging").strip().lower()
