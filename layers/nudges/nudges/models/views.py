"""What the operator API answers: the shapes of the JSON bodies its handlers build.

Typed dicts, so the handlers keep building plain dicts (and a type checker checks them), while
Powertools reads these for the OpenAPI document. The handler module names them only in string
annotations: a cold start never imports this module (nor pydantic); the document builder does.

No ``from __future__ import annotations`` here: pydantic reads these annotations at run time.
"""

from typing import Annotated, Literal, NotRequired, TypedDict

from pydantic import Field

from nudges.domain.calendars import CalendarProviderName
from nudges.domain.candidate import Channel
from nudges.domain.kinds import NudgeKind
from nudges.domain.plan import NudgeStatus

Instant = Annotated[
    str,
    Field(json_schema_extra={"format": "date-time"}, examples=["2026-12-03T14:00:00Z"]),
]


class ConsentRecord(TypedDict):
    """Evidence of consent to texts."""

    obtained_at: Instant
    method: Annotated[str, Field(examples=["web sign-up form", "sms_yes"])]
    message_id: NotRequired[Annotated[str, Field(description="The inbound SMS, for a YES")]]
    text: NotRequired[Annotated[str, Field(description="The exact consent wording agreed to (a sign-up page)")]]


class ConnectedCalendar(TypedDict):
    provider: CalendarProviderName
    calendar_id: str
    account_email: str | None
    connected_at: Instant
    watch_expires_at: Instant | None


class Candidate(TypedDict):
    """A registered candidate."""

    candidate_id: Annotated[str, Field(examples=["c_b1f2f627a92de5cf82feeaf7"])]
    email: Annotated[str, Field(json_schema_extra={"format": "email"})]
    email_aliases: Annotated[
        list[str],
        Field(description="Addresses the candidate had before (oldest first): invites naming one still match them"),
    ]
    phone: Annotated[str | None, Field(description="E.164, like +447700900123")]
    name: str | None
    timezone: Annotated[str, Field(description="IANA time zone", examples=["Europe/London"])]
    channels: list[Channel]
    locale: Annotated[str, Field(description="One of GET /locales", examples=["de-DE"])]
    draft_locale: Annotated[
        str, Field(description="The language of the drafts inside messages (default: locale)", examples=["en-GB"])
    ]
    ics_inbox_url: Annotated[
        str,
        Field(
            json_schema_extra={"format": "uri"},
            description="Where the candidate's calendar invites (text/calendar) can be posted; the path is a secret",
        ),
    ]
    ics_inbox_email: Annotated[
        str | None, Field(description="Where invites can be forwarded by email, when an inbox domain is set up")
    ]
    created_at: Instant
    reachable: Annotated[
        dict[Channel, bool], Field(description="Whether a nudge would reach the candidate on each channel now")
    ]
    unreachable_reasons: Annotated[
        dict[Channel, str],
        Field(
            description="Why not, per unreachable channel: not_chosen, unsubscribed, bounced, complained, "
            "paused (email); not_chosen, no_phone, opted_out, paused, awaiting_sms_consent (sms)"
        ),
    ]
    paused: Annotated[bool, Field(description="The candidate paused every nudge on their preferences page")]
    kinds_off: Annotated[list[str], Field(description="Kinds of nudge the candidate turned off")]
    sms_consent: Annotated[ConsentRecord | None, Field(description="Consent to texts as the operator gave it")]
    sms_yes: Annotated[ConsentRecord | None, Field(description="The candidate's own YES by SMS")]
    join_code: Annotated[str | None, Field(description="The join code (cohort) they signed up with")]
    calendars: list[ConnectedCalendar]
    preferences_url: Annotated[
        str, Field(json_schema_extra={"format": "uri"}, description="The candidate's preferences page (signed)")
    ]
    add_interview_url: Annotated[
        str, Field(json_schema_extra={"format": "uri"}, description="The candidate's add-an-interview page (signed)")
    ]
    connect_urls: Annotated[
        dict[CalendarProviderName, str],
        Field(description="Links that connect the candidate's Google or Microsoft calendar by OAuth (signed)"),
    ]


class CalendarConnection(TypedDict):
    """A calendar now watched for interviews."""

    candidate_id: str
    provider: CalendarProviderName
    calendar_id: str
    notification_url: Annotated[
        str, Field(json_schema_extra={"format": "uri"}, description="Where the provider sends change notifications")
    ]
    watch_expires_at: Annotated[
        str | None,
        Field(json_schema_extra={"format": "date-time"}, description="The watch is renewed before then"),
    ]


class Interviewer(TypedDict):
    name: str
    email: str


class Nudge(TypedDict):
    """One nudge of an interview (or of its application, for ``connect``)."""

    kind: NudgeKind
    due_at: Annotated[
        str | None,
        Field(
            json_schema_extra={"format": "date-time"}, description="When it is (or was) delivered; after quiet hours"
        ),
    ]
    status: NudgeStatus
    reason: NotRequired[Annotated[str, Field(description="Why it was skipped or cancelled")]]
    channels: Annotated[
        dict[Channel, "NudgeChannel"],
        Field(description="Per channel: sent (only what went) or skipped with the reason; empty while scheduled"),
    ]


class NudgeChannel(TypedDict):
    """What became of a nudge on one channel."""

    status: Literal["sent", "skipped", "failed"]
    reason: NotRequired[Annotated[str, Field(description="Why it was not sent, e.g. awaiting_sms_consent")]]
    sent_at: NotRequired[Instant]


class Interview(TypedDict):
    """An interview as the candidate's timeline shows it, earliest first."""

    interview_id: Annotated[str, Field(examples=["iv_18399ab77dda050a73e79ba0"])]
    status: Literal["scheduled", "cancelled", "completed"]
    title: str
    company: Annotated[
        str, Field(description="The employer as every message names it (an agency's client, not the agency)")
    ]
    application_id: Annotated[str, Field(description="Interviews with one company form one application")]
    start: Instant
    end: Instant
    interviewers: list[Interviewer]
    recruiter: NotRequired[
        Annotated[Interviewer, Field(description="The agency consultant who arranged it: not an interviewer")]
    ]
    nudges: list[Nudge]


class OutcomeRecorded(TypedDict):
    """The outcome, recorded for the interview's whole application."""

    interview_id: str
    application_id: str
    outcome: Literal["offer", "rejected", "withdrawn"]


class EmailPreview(TypedDict):
    """The email a nudge would send now."""

    channel: Literal["email"]
    to: str
    subject: str
    body: Annotated[str, Field(description="The plain text part")]
    html: Annotated[str, Field(description="The HTML part")]


class SmsPreview(TypedDict):
    """The text message a nudge would send now."""

    channel: Literal["sms"]
    to: str | None
    body: str
    characters: int


Preview = Annotated[EmailPreview | SmsPreview, Field(discriminator="channel")]


class CandidatePage(TypedDict):
    """One page of registered candidates, newest registration first."""

    candidates: list[Candidate]
    next_cursor: Annotated[str | None, Field(description="Pass as `cursor` for the next page; null on the last page")]


class Message(TypedDict):
    """A message sent to the candidate, with what its provider has said of it since."""

    kind: Annotated[str, Field(description="A nudge kind, or another message (welcome, sms_reply)")]
    channel: Channel
    interview_id: NotRequired[Annotated[str, Field(description="The interview it is about, when there is one")]]
    sent_at: Instant
    status: Annotated[
        Literal["sent", "delivered", "bounced", "complained", "delayed", "failed"],
        Field(description="From SES's events for email (SMS stays sent: SNS reports delivery to CloudWatch only)"),
    ]
    provider_message_id: Annotated[str, Field(description="The SES or SNS MessageId, as the provider's logs name it")]


class LocaleEntry(TypedDict):
    code: Annotated[str, Field(examples=["de-DE"])]
    name: Annotated[str, Field(description="The language's own name for itself", examples=["Deutsch"])]


class Locales(TypedDict):
    """The languages a candidate may be registered in, and the stack's default."""

    locales: list[LocaleEntry]
    default: Annotated[str, Field(description="The DefaultLocale Parameter", examples=["en-GB"])]
