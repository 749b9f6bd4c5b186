"""What the service says outside the nudges, in the candidate's locale: the welcome (what it
will do and when, the candidate's links), the answers to SMS keywords (YES, STOP, START, HELP)
and the receipt of a forwarded invite. Pure: data in, text out; the words live in the catalogs
(nudges.domain.rendering fills them in; the nudges themselves: nudges.domain.messages).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nudges.domain.catalog import DEFAULT_LOCALE
from nudges.domain.company_names import company_display
from nudges.domain.rendering import DEFAULT_BRANDING, Branding, Message, Words, message
from nudges.domain.sms_encoding import for_sms

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, timedelta

    from nudges.domain.candidate import Candidate
    from nudges.domain.plan import NudgeTimings


@dataclass(frozen=True)
class WelcomeLinks:
    """The candidate's own links: calendar connect (per provider) and preferences, each signed for
    them; the address their invites are forwarded to (None without an inbox domain)."""

    connect: Mapping[str, str]  # per calendar provider set up (its OAuth client), in the registry's order
    preferences: str
    forwarding_address: str | None = None
    preferences_short: str | None = None  # the same page by its short path, for texts


def _connect_lines(words: Words, links: WelcomeLinks) -> str:
    """The calendar connect links of the providers the operator set up; nothing without one."""
    lines = [words(f"welcome_{p}", url=url) for p, url in links.connect.items() if url]
    return "\n".join([words("welcome_connect"), *lines]) + "\n" if lines else ""


def _hours(words: Words, delay: timedelta) -> str:
    return words.hours(delay.total_seconds() / 3600)


def welcome(
    candidate: Candidate,
    links: WelcomeLinks,
    timings: NudgeTimings,
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
) -> Message:
    """What the service will do and when, where to forward invites, the connect and preferences
    links; by SMS, without consent on record, the request to reply YES."""
    words = Words(candidate.locale)
    forwarding = (
        words.fill("welcome", "forwarding", {"address": links.forwarding_address}) + "\n"
        if links.forwarding_address
        else ""
    )
    values = {
        "first_name": candidate.first_name,
        "research_lead": _hours(words, timings.research_lead),
        "thank_you_delay": _hours(words, timings.thank_you_delay),
        "follow_up_days": str(timings.follow_up_days),
        "quiet_start": words.clock_time(timings.quiet_start),
        "quiet_end": words.clock_time(timings.quiet_end),
        "timezone": candidate.timezone,
        "connect": _connect_lines(words, links),
        "preferences_url": links.preferences,
        "sender_name": branding.sender_name,
    }
    text = words.fill("welcome", "email", {**values, "forwarding": forwarding})
    sms_kind = "welcome_consent" if candidate.awaiting_sms_consent else "welcome"
    composed = message(
        words,
        words.fill("welcome", "subject", values),
        text,
        words.fill(sms_kind, "sms", {**values, "preferences_url": links.preferences_short or links.preferences}),
        unsubscribe_url=unsubscribe_url,
        branding=branding,
    )
    # A channel that never asks for consent (WhatsApp) gets the welcome without the YES request.
    return replace(composed, advice=words.fill("welcome", "sms", values), kind="welcome")


def sms_yes_reply(locale: str, branding: Branding = DEFAULT_BRANDING) -> str:
    """The answer to a YES by SMS."""
    words = Words(locale)
    return for_sms(words.fill("sms_yes", "sms", {"sender_name": branding.sender_name}), words.locale)


def sms_reply(keyword: str, locale: str = DEFAULT_LOCALE, branding: Branding = DEFAULT_BRANDING) -> str:
    """The answer to a STOP, START or HELP by SMS (``keyword``: "stop", "start", "help")."""
    words = Words(locale)
    return for_sms(words.fill("sms_reply", keyword, {"operator_name": branding.operator_name}), words.locale)


@dataclass(frozen=True)
class InviteReceipt:
    """One interview read from a forwarded invite, and when its research prompt comes (or why not)."""

    company: str
    title: str
    start: datetime
    cancelled: bool = False
    research_at: datetime | None = None
    research_skipped: str | None = None


@dataclass(frozen=True)
class InviteProblem:
    """Why (part of) a forwarded mail was not used: an ``invite_problem.<key>`` entry, and what
    the reader found wrong (``detail``, for ``unreadable``)."""

    key: str  # no_calendar | unreadable | no_event | left_out
    detail: str = ""


def _receipt_line(words: Words, receipt: InviteReceipt, candidate: Candidate) -> str:
    company = company_display(receipt.company) or receipt.company
    what = words.catalog.text(
        "invite_receipt.what", title=receipt.title, company=company, when=local_time(receipt.start, candidate)
    )
    if receipt.cancelled:
        return words.catalog.text("invite_receipt.cancelled", what=what)
    if receipt.research_at is not None:
        research_at = local_time(receipt.research_at, candidate)
        return words.catalog.text("invite_receipt.research_at", what=what, research_at=research_at)
    if receipt.research_skipped:
        return words.catalog.text("invite_receipt.research_skipped", what=what, reason=receipt.research_skipped)
    return words.catalog.text("invite_receipt.got_it", what=what)


def invite_receipt(
    candidate: Candidate,
    receipts: list[InviteReceipt],
    problems: list[InviteProblem],
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
    add_url: str | None = None,
) -> Message:
    """The short answer to a forwarded invite: what was read from it, and what was not used and
    why, with what the candidate can do about it (add the interview by hand at ``add_url``);
    "nothing more to do" only when everything was used. A mail with nothing booked from it and
    an ``add_url`` gets the add-an-interview answer, the form prefilled."""
    words = Words(candidate.locale)
    lines = [_receipt_line(words, r, candidate) for r in receipts]
    for problem in problems:
        said = words.catalog.text(f"invite_problem.{problem.key}", detail=problem.detail)
        lines.append(words.catalog.text("invite_receipt.not_used", problem=said))
    # What to do now follows from what happened: never "nothing more" beside "not used".
    if not problems:
        closing = words.catalog.text("invite_receipt.all_used")
    elif add_url:
        closing = words.catalog.text("invite_receipt.add_by_hand", link=add_url)
    else:
        closing = words.catalog.text("invite_receipt.forward_again")
    values = {"first_name": candidate.first_name, "lines": "\n\n".join(lines), "closing": closing}
    if receipts:
        first = receipts[0]
        summary = words.catalog.text(
            "invite_receipt.summary",
            company=company_display(first.company) or first.company,
            when=local_time(first.start, candidate),
        )
        subject = words.fill("invite_receipt", "subject", {"summary": summary})
    else:
        subject = words.fill("invite_problem", "subject", {})
    if receipts or not add_url:
        text = words.fill("invite_receipt", "email", values)
    else:
        text = words.fill("invite_problem", "email", {**values, "add_url": add_url})
    return message(words, subject, text, "", unsubscribe_url=unsubscribe_url, branding=branding)


def local_time(moment: datetime, candidate: Candidate) -> str:
    """``moment`` in the candidate's zone and locale: "Thursday 3 December at 14:00 (GMT)"."""
    return Words(candidate.locale).at(moment, candidate.zone)
