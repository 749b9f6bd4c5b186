"""Every key of the one table, built here and nowhere else.

| item                      | PK                          | SK                            | GSI1PK / GSI1SK                          |
|---------------------------|-----------------------------|-------------------------------|------------------------------------------|
| candidate                 | CANDIDATE#<id>              | PROFILE                       | CANDIDATES#<n> / CANDIDATE#<created>#<id> |
| email -> candidate        | EMAIL#<email>               | CANDIDATE                     |                                          |
| ics inbox -> candidate    | INBOX#<token>               | CANDIDATE                     |                                          |
| calendar connection       | CANDIDATE#<id>              | CALENDAR#<provider>#<calendar>| CALENDAR_WATCH#<n> / <expiry>#<key>   |
| message sent (the log)    | CANDIDATE#<id>              | MESSAGE#<sent>#<ns>#<msg id or channel> | MESSAGE#<provider msg id> / MESSAGE      |
|   (and on GSI2)           |                             |                               | GSI2: MESSAGES#<yyyy-mm>#<n> / <sent>#<ns>#<msg id or channel> |
| watch -> connection       | WATCH#<provider>#<watch id> | WATCH                         |                                          |
| interview                 | INTERVIEW#<id>              | INTERVIEW                     | EMAIL#<email> / INTERVIEW#<start>#<id>   |
| provider ref -> interview | SOURCE#<source>#<ref>       | INTERVIEW                     |                                          |
| application               | APPLICATION#<id>            | APPLICATION                   | EMAIL#<email> / APPLICATION#<id>         |
| nudge (+ its sends)       | <owner PK>                  | NUDGE#<kind>                  |                                          |
| phone -> candidate        | PHONE#<number hash>         | CANDIDATE#<id>                |                                          |
| OAuth consent in flight   | OAUTH_STATE#<state hash>    | STATE                         |                                          |
| inbound SMS               | INBOUND_SMS#<id>            | SMS                           |                                          |
| webhook receipt           | DELIVERY#<source>#<id>      | DELIVERY                      |                                          |
| invite file being booked  | INVITE_FILE#<file id>       | FILE                          |                                          |
| email suppression         | SUPPRESSED#<email>          | EMAIL                         |                                          |
| SMS opt-out               | SMS_OPT_OUT#<number hash>   | SMS                           |                                          |
| inbound WhatsApp          | INBOUND_WHATSAPP#<wamid>    | WHATSAPP                      |                                          |
| WhatsApp opt-out          | WHATSAPP_OPT_OUT#<num. hash>| WHATSAPP                      |                                          |
| join code (a cohort)      | JOIN_CODE#<code>            | JOIN_CODE                     | JOIN_CODES / <created>#<code>            |
| sign-up awaiting its click| VERIFY#<token hash>         | VERIFY                        |                                          |
| email change awaiting it  | CANDIDATE#<id>              | EMAIL_CHANGE#<token hash>     |                                          |
| rate-limit window         | RATE#<scope>#<key hash>     | WINDOW#<window start>         |                                          |
| consent request sent      | CONSENT_ASKED#<number hash> | SMS                           |                                          |

An email change awaiting its click is a ``VERIFY`` item like a sign-up's, and an item in the
candidate's partition naming it (``verify_key``): erasing the candidate finds and deletes both.
A nudge's owner is its interview (research_prompt, thank_you, follow_up on the last round), its
application (connect, rejection_reply) or the candidate (welcome). The phone pointer finds who a
YES by SMS is from.
An address the candidate had before (an alias) keeps its email pointer, holding only ``alias_of``
(the candidate's id): readers follow it to the profile (``adapters.candidates.read_pointer``).
The email pointer carries a copy of the profile (finding a candidate by address is one GetItem),
but not its GSI1 keys: the listing of candidates names each profile once. (A pointer written
before that carried them; the listing reads profiles only, so it too is listed once.)
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC
from typing import TYPE_CHECKING

from nudges.domain.interview import normalise_email
from nudges.domain.records import is_application, is_candidate
from nudges.timefmt import iso

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

Key = tuple[str, str]

GSI1 = "GSI1"
CANDIDATES = "CANDIDATES"  # GSI1PK of every candidate profile: listing them is a Query, never a Scan
CANDIDATE_PREFIX = "CANDIDATE#"
PROFILE = "PROFILE"
CALENDAR_PREFIX = "CALENDAR#"
RENEWAL = "CALENDAR_WATCH"  # GSI1PK of every connection with a watch, sorted by its expiry
WATCH_PREFIX = "WATCH#"
WATCH_SK = "WATCH"
INTERVIEW_PREFIX = "INTERVIEW#"
APPLICATION_PREFIX = "APPLICATION#"
NUDGE_PREFIX = "NUDGE#"
MESSAGE_PREFIX = "MESSAGE#"
GSI2 = "GSI2"  # the message log by month of sending (the console's messages report)
MESSAGES = "MESSAGES"
MESSAGE_SK = "MESSAGE"  # GSI1SK of a logged message (its GSI1PK names the provider's message id)


# A GSI key every item of its kind carries (every registration, every watch) puts all their
# writes on one partition (1,000 writes a second: docs/scale.md). Each is spread over SHARDS
# suffixes chosen by a hash of the item's own id; readers Query every shard (and the bare key,
# where items written before sharding still sit) and merge. Changing SHARDS moves nothing already
# written: readers ask every shard up to it, and the bare key.
SHARDS = 8


def shard(key: str, item_id: str) -> str:
    """``key#<n>``: the shard of ``item_id`` (stable: a hash of the id, not Python's ``hash``)."""
    n = int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:4], "big") % SHARDS
    return f"{key}#{n}"


def shards(key: str) -> tuple[str, ...]:
    """Every shard of ``key``, and the bare key itself (items from before sharding)."""
    return (*(f"{key}#{n}" for n in range(SHARDS)), key)


def candidate(candidate_id: str) -> Key:
    return f"{CANDIDATE_PREFIX}{candidate_id}", PROFILE


def candidate_listing(created_at: datetime, candidate_id: str) -> str:
    """GSI1SK of a profile under ``CANDIDATES``: oldest registration first."""
    return f"{CANDIDATE_PREFIX}{iso(created_at)}#{candidate_id}"


def email_pointer(email: str) -> Key:
    return f"EMAIL#{normalise_email(email)}", "CANDIDATE"


def by_email(email: str) -> str:
    """GSI1PK of the interviews and applications of an address."""
    return f"EMAIL#{normalise_email(email)}"


def inbox(token: str) -> Key:
    return f"INBOX#{token}", "CANDIDATE"


def calendar(candidate_id: str, provider: str, calendar_id: str) -> Key:
    return f"{CANDIDATE_PREFIX}{candidate_id}", f"{CALENDAR_PREFIX}{provider}#{calendar_id}"


def watch(provider: str, watch_id: str) -> Key:
    return f"{WATCH_PREFIX}{provider}#{watch_id}", WATCH_SK


def interview(interview_id: str) -> Key:
    return f"{INTERVIEW_PREFIX}{interview_id}", "INTERVIEW"


def interview_listing(start: datetime, interview_id: str) -> str:
    return f"{INTERVIEW_PREFIX}{iso(start)}#{interview_id}"


def source_link(source: str, ref: str) -> Key:
    return f"SOURCE#{source}#{ref}", "INTERVIEW"


def source_ref(source: str, ref: str) -> str:
    """How an interview lists a provider reference of its own (``source_refs``)."""
    return f"{source}#{ref}"


def application(application_id: str) -> Key:
    return f"{APPLICATION_PREFIX}{application_id}", "APPLICATION"


def application_listing(application_id: str) -> str:
    return f"{APPLICATION_PREFIX}{application_id}"


def owner(owner_id: str) -> Key:
    """The item of a nudge's owner: its application, the candidate (welcome) or its interview."""
    if is_candidate(owner_id):
        return candidate(owner_id)
    return application(owner_id) if is_application(owner_id) else interview(owner_id)


def nudge(owner_id: str, kind: str) -> Key:
    return owner(owner_id)[0], f"{NUDGE_PREFIX}{kind}"


def message(candidate_id: str, sent_at: datetime, order: int, provider_message_id: str) -> Key:
    """A logged message, in its candidate's partition: newest last by send time, then order."""
    return f"{CANDIDATE_PREFIX}{candidate_id}", f"{MESSAGE_PREFIX}{iso(sent_at)}#{order:020d}#{provider_message_id}"


def sent_message(candidate_id: str, sent_at: datetime, order: int, channel: str) -> Key:
    """A nudge's logged message, known before the send (its events carry it back: ``message_ref``)."""
    return f"{CANDIDATE_PREFIX}{candidate_id}", f"{MESSAGE_PREFIX}{iso(sent_at)}#{order:020d}#{channel}"


def message_ref(key: Key) -> str:
    """A logged message's key as a tag value SES and End User Messaging hand back with each event
    (URL-safe base64, no padding: the letters, digits, ``-`` and ``_`` an SES message tag allows)."""
    return base64.urlsafe_b64encode("\n".join(key).encode()).decode().rstrip("=")


def message_key(ref: str) -> Key | None:
    """The key ``message_ref`` wrote, or None for anything else."""
    try:
        pk, sk = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4)).decode().split("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    if not pk.startswith(CANDIDATE_PREFIX) or not sk.startswith(MESSAGE_PREFIX):
        return None
    return pk, sk


def message_month(sent_at: datetime, provider_message_id: str) -> str:
    """GSI2PK of a logged message: the UTC month it was sent, sharded by its provider id."""
    return shard(f"{MESSAGES}#{iso(sent_at)[:7]}", provider_message_id)


def message_months(first: datetime, last: datetime) -> list[str]:
    """Every GSI2PK (each shard of each UTC month) a message sent from ``first`` to ``last`` sits under."""
    months: list[str] = []
    year, month = first.astimezone(UTC).year, first.astimezone(UTC).month
    end = (last.astimezone(UTC).year, last.astimezone(UTC).month)
    while (year, month) <= end:
        months.extend(f"{MESSAGES}#{year:04d}-{month:02d}#{n}" for n in range(SHARDS))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def message_lookup(provider_message_id: str) -> str:
    """GSI1PK of the logged message with this SES or SNS MessageId (its events find it so)."""
    return f"{MESSAGE_PREFIX}{provider_message_id}"


def inbound_sms(message_id: str) -> Key:
    return f"INBOUND_SMS#{message_id}", "SMS"


def webhook_receipt(source: str, receipt_id: str) -> Key:
    return f"DELIVERY#{source}#{receipt_id}", "DELIVERY"


def invite_file(file_id: str) -> Key:
    return f"INVITE_FILE#{file_id}", "FILE"


def suppression(email: str) -> Key:
    return f"SUPPRESSED#{normalise_email(email)}", "EMAIL"


def sms_opt_out(phone_hash: str) -> Key:
    return f"SMS_OPT_OUT#{phone_hash}", "SMS"


def inbound_whatsapp(message_id: str) -> Key:
    return f"INBOUND_WHATSAPP#{message_id}", "WHATSAPP"


def whatsapp_opt_out(phone_hash: str) -> Key:
    return f"WHATSAPP_OPT_OUT#{phone_hash}", "WHATSAPP"


# Each channel's opt-out record (nudges.domain.channels: ChannelSpec.opt_out), by what it is keyed on.
OPT_OUT_KEYS: dict[str, Callable[[str], Key]] = {
    "email_suppression": suppression,
    "sms_opt_out": sms_opt_out,
    "whatsapp_opt_out": whatsapp_opt_out,
}


PHONE_PREFIX = "PHONE#"


def phone_pointer(phone_hash: str, candidate_id: str) -> Key:
    """Who a text from this number is from (a YES): the number only as its hash."""
    return f"{PHONE_PREFIX}{phone_hash}", f"{CANDIDATE_PREFIX}{candidate_id}"


def oauth_state(state_hash: str) -> Key:
    return f"OAUTH_STATE#{state_hash}", "STATE"


JOIN_CODES = "JOIN_CODES"  # GSI1PK of every join code, newest last by creation


def join_code(code: str) -> Key:
    return f"JOIN_CODE#{code}", "JOIN_CODE"


def join_code_listing(created_at: datetime, code: str) -> str:
    return f"{iso(created_at)}#{code}"


VERIFY_SK = "VERIFY"
EMAIL_CHANGE_PREFIX = "EMAIL_CHANGE#"


def verification(token_hash: str) -> Key:
    """A sign-up (or an email change) waiting for the click on its link: the token only as its hash."""
    return f"VERIFY#{token_hash}", VERIFY_SK


def email_change(candidate_id: str, token_hash: str) -> Key:
    """The candidate's own change of address awaiting its click: how erasure finds its ``verification``."""
    return f"{CANDIDATE_PREFIX}{candidate_id}", f"{EMAIL_CHANGE_PREFIX}{token_hash}"


def rate_window(scope: str, key_hash: str, window: str) -> Key:
    """A counter of attempts in one window (``join-address``, ``join-code``...): the key only as its hash."""
    return f"RATE#{scope}#{key_hash}", f"WINDOW#{window}"


def consent_asked(phone_hash: str) -> Key:
    """The consent request ("reply YES") went to this number: at most once, unless asked again."""
    return f"CONSENT_ASKED#{phone_hash}", "SMS"


# ---------------------------------------------------------------- the advisers' console
# | console session           | CONSOLE_SESSION#<id hash>   | SESSION                       |
# | sign-in challenge pending | CONSOLE_SIGNIN#<id hash>    | CHALLENGE                     |
# | an adviser's settings     | ADVISER#<pool sub>          | SETTINGS                      |
# The cookie holds the random id; the table only its SHA-256, so reading the table gives no
# usable session.


def console_session(id_hash: str) -> Key:
    return f"CONSOLE_SESSION#{id_hash}", "SESSION"


def sign_in_challenge(id_hash: str) -> Key:
    return f"CONSOLE_SIGNIN#{id_hash}", "CHALLENGE"


def adviser_settings(sub: str) -> Key:
    return f"ADVISER#{sub}", "SETTINGS"


# | (a session, by its adviser) | GSI1PK ADVISER_SESSIONS#<pool sub> / GSI1SK <id hash>              |
# | an adviser's invitation   | ADVISER_INVITE#<pool sub>   | INVITATION                    |
# Disabling or removing an adviser deletes their sessions, found by this index entry. The
# invitation item records what was mailed (kind ``adviser_invitation``), never the password.
def adviser_sessions(sub: str) -> str:
    return f"ADVISER_SESSIONS#{sub}"


def adviser_invitation(sub: str) -> Key:
    return f"ADVISER_INVITE#{sub}", "INVITATION"


# | invitation just sent again| ADVISER_INVITE#<pool sub>   | RESEND                        |
# Taken (conditionally) before a resend, for ``adviser_invitations.RESEND_WINDOW``: a double
# click on "send the invitation again" mails once.
def adviser_resend(sub: str) -> Key:
    return f"ADVISER_INVITE#{sub}", "RESEND"


# | the enabled admins        | ADMINS                      | ROSTER                        |
# | a change to one adviser   | ADMINS                      | CHANGE#<pool sub>             |
# The table's word on who the enabled admins are (adapters.admin_roster): what a disable,
# demotion or removal is checked against, conditionally, so two at once never leave none.
ADMINS = "ADMINS"
ADMIN_CHANGE_PREFIX = "CHANGE#"


def admin_roster() -> Key:
    return ADMINS, "ROSTER"


def admin_change(sub: str) -> Key:
    return ADMINS, f"{ADMIN_CHANGE_PREFIX}{sub}"


# | an audit entry            | AUDIT                       | AT#<iso time>#<entry id>      |
# One partition, newest last: adviser actions are few (a person's clicks), read newest first.
AUDIT = "AUDIT"


def audit_entry(at: datetime, entry_id: str) -> Key:
    return AUDIT, f"AT#{at.isoformat()}#{entry_id}"
