"""Calendar invites (iCalendar, RFC 5545/5546) as Outlook, Google and others send them, and the
mail they arrive in.

Import this module only where invites are read: it brings in the icalendar library.
``METHOD:REQUEST`` (or ``PUBLISH``, or none: a saved .ics) books or updates the event by its
``UID``; ``METHOD:CANCEL`` or ``STATUS:CANCELLED`` cancels it; ``SEQUENCE`` is the organizer's
revision number, stored as the interview's provider version so an older revision changes nothing.

What is read, and what is refused (docs/providers.md "Forwarded calendar invites"):

- the body is decoded by its declared charset (the HTTP ``Content-Type`` or the MIME part's),
  else as UTF-8, else line by line as Windows-1252 (what Outlook writes when it declares
  nothing), so a name never gets a replacement character;
- a property the organizer's software broke (``SEQUENCE:one``, a ``DTSTART`` that is no date,
  two ``DTSTART``), more than ``bounds.MAX_PEOPLE`` attendees, a date outside 1970 to 100 years ahead:
  400 naming the event's UID and the property, and nothing in the file is stored;
- an event that is no interview (all day with a title that names no interview, no date, a
  secondly series): 200, listed under ``ignored`` with the reason; an all-day or multi-day event
  whose title names an interview (an assessment centre, a superday) is one, from 09:00 on its first
  day in the candidate's zone to 17:00 on its last;
- the organizer and attendees are sorted by nudges.domain.agencies.cast: declined and
  ``ROLE=NON-PARTICIPANT`` attendees are contacts, and so is an organizer left out of the
  attendees by a producer that lists attending organizers (Google, Cal.com; Exchange does not);
- an event without a UID (RFC 5545 requires one; some producers forget) gets one made from its
  organizer, start and summary, so the same invite sent again is the same interview;
- a series (``RRULE``/``RDATE``, less ``EXDATE``, with its ``RECURRENCE-ID`` overrides) is
  expanded by ``recurring_ical_events``: each occurrence that has not ended and starts within
  ``SERIES_HORIZON`` (at most ``MAX_OCCURRENCES`` of them) is an interview of its own, so the next
  one is planned and the one after it takes over when it passes.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import email_validator
import icalendar
import recurring_ical_events

from nudges.domain.agencies import cast
from nudges.domain.booking import BookingChange
from nudges.domain.bounds import HORIZON, MAX_REF, check_instant, check_people, clip, plain
from nudges.domain.candidate import own_addresses
from nudges.domain.interview import Interview, all_day_span, is_interview_like, normalise_email
from nudges.domain.people import Address
from nudges.domain.series import Revision, belongs
from nudges.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.domain.candidate import Candidate

SOURCE = "ics"
BOOKING_METHODS = {"REQUEST", "PUBLISH", "ADD"}
# iTIP methods that answer an invitation rather than make one (RFC 5546 section 1.4).
ANSWER_METHODS = {
    "REPLY": "METHOD:REPLY is an attendee's answer to an invitation, not the invitation: forward the invitation itself",
    "COUNTER": "METHOD:COUNTER proposes another time; nothing changes until the organizer sends the new invitation",
    "DECLINECOUNTER": "METHOD:DECLINECOUNTER turns down a proposed time: the invitation stands as it was",
    "REFRESH": "METHOD:REFRESH asks the organizer for the latest invitation: forward that one",
}
# SEQUENCE is a non-negative 32-bit integer (RFC 5545 3.8.7.4); some producers write more: clamped.
MAX_SEQUENCE = 2**31 - 1
# Rooms and equipment are invited too; nobody to research or thank there.
NOT_PEOPLE = {"ROOM", "RESOURCE"}
GROUP = "GROUP"
_LINE_END = re.compile(rb"\r*\n|\r+(?!\n)")
DEFAULT_LENGTH = timedelta(hours=1)
CALENDAR_TYPES = {"text/calendar", "application/ics", "application/x-ics"}
# The properties read here: one broken, or given twice where one is allowed, refuses the file.
READ = ("UID", "DTSTART", "DTEND", "DURATION", "SEQUENCE", "RECURRENCE-ID", "DTSTAMP", "LAST-MODIFIED", "STATUS")
# Producers that list an attending organizer among the attendees (an organizer left out of them
# is a coordinator, not an interviewer); Exchange and Outlook leave an attending organizer out,
# and so does Cal.com ("PRODID:calcom/ics": its ORGANIZER is the host, its ATTENDEEs the booker,
# the guests and the other hosts), so there the organizer still counts.
ORGANIZER_LISTED = re.compile(r"google|calendly", re.IGNORECASE)
READ_LISTS = ("ORGANIZER", "ATTENDEE", "RRULE", "RDATE", "EXDATE", "SUMMARY")
SERIES_HORIZON = timedelta(weeks=8)
MAX_OCCURRENCES = 8
# A series repeating more often than daily is a reminder or a stand-up, not an interview.
NOT_INTERVIEW_FREQUENCIES = {"SECONDLY", "MINUTELY", "HOURLY"}
FALLBACK_CHARSET = "windows-1252"
# Relay addresses (``is_relay``): iCloud's iMIP relay, Outlook.com's proxy for accounts whose
# sign-in is another provider's address.
RELAY = re.compile(r"(@imip\.me\.com$)|(^outlook_[0-9a-f]{8,}@outlook\.com$)")


@dataclass(frozen=True)
class InviteReading:
    changes: list[BookingChange]
    ignored: list[dict[str, str]] = field(default_factory=list)  # {"event": <UID>, "reason": ...}
    # Each event the file gives whole (its master is in it): reconciled against what is stored
    # for its UID by the service (nudges.domain.series).
    revisions: list[Revision] = field(default_factory=list)


def decode_calendar(data: bytes, charset: str | None = None) -> str:
    """The calendar's text: by ``charset`` when one is declared and the bytes are in it, else
    UTF-8, else each line that is not UTF-8 read as Windows-1252 (Latin-1 for its five holes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if charset:
        try:
            return data.decode(charset.strip().strip('"'))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: read as if none was given
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_line_text(line) for line in data.splitlines(keepends=True))


def _line_text(line: bytes) -> str:
    for codec in ("utf-8", FALLBACK_CHARSET):
        try:
            return line.decode(codec)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def parse_calendar(data: bytes, charset: str | None = None) -> icalendar.Calendar:
    """The calendar in ``data`` (CRLF or LF line ends, folded lines); 400 if it is none."""
    # Mail relays leave LF, CRLF, or a doubled CR: one line end, whatever they did.
    data = _LINE_END.sub(b"\r\n", data)
    try:
        calendar = icalendar.Calendar.from_ical(decode_calendar(data, charset))
    except (ValueError, IndexError, KeyError) as exc:
        # The parser's words quote the line: cut, so a hostile body is not echoed back whole.
        raise InvalidInput(f"body: not an iCalendar object: {clip(str(exc), 200)}", field="body") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise InvalidInput("body: not a VCALENDAR", field="body")
    return calendar


_QUOTES = "\"'<> \t"


def _address(value: Any) -> str | None:
    """``mailto:Jane@X.com`` (or ``"MAILTO:jane@x.com"``, ``<mailto:...>``) -> ``jane@x.com``;
    None for anything that is not a valid mail address (a space in it, two @, no domain)."""
    text = str(value).strip(_QUOTES)
    if text.lower().startswith("mailto:"):
        text = text[7:].strip(_QUOTES)
    text = normalise_email(text)
    if "@" not in text:
        return None
    try:
        # test_environment: a *.test domain (RFC 2606) is an address too; nothing is looked up.
        email_validator.validate_email(text, check_deliverability=False, test_environment=True)
    except email_validator.EmailNotValidError:
        return None
    return text


def is_relay(email: str) -> bool:
    """An address a calendar service stands in for its user with (iCloud's ``...@imip.me.com``,
    Outlook.com's ``outlook_<hex>@outlook.com``): it reaches the person but names no company."""
    return bool(RELAY.search(email))


def _name(value: Any) -> str:
    cn = plain(str(getattr(value, "params", {}).get("CN", "")).strip(_QUOTES))
    return "" if "@" in cn else cn  # Google writes the address as the name when it has none


def _text(value: Any) -> str:
    """A text property as text: the first non-empty one when it is given more than once (two
    SUMMARY lines), never a Python list's repr."""
    for item in _as_list(value):
        text = plain(str(item))
        if text:
            return text
    return ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _instant(value: Any, zone: Any) -> datetime | None:
    """An aware UTC instant; floating times are read in the candidate's zone; all-day is None."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return None
    return None


def _decoded(event: icalendar.cal.Component, name: str) -> Any:
    try:
        return event.decoded(name) if name in event else None
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"{name}: {exc}", field=name) from exc


def invite_changes(
    data: bytes,
    candidate: Candidate,
    received_at: datetime,
    *,
    is_candidate_address: Callable[[str], bool] = lambda _address: False,
    charset: str | None = None,
) -> list[BookingChange]:
    """What an invite sent to ``candidate``'s inbox says, one change per event (or occurrence)."""
    return read_invite(data, candidate, received_at, is_candidate_address=is_candidate_address, charset=charset).changes


def read_invite(
    data: bytes,
    candidate: Candidate,
    received_at: datetime,
    *,
    is_candidate_address: Callable[[str], bool] = lambda _address: False,
    charset: str | None = None,
) -> InviteReading:
    """What an invite sent to ``candidate``'s inbox says: the changes, and the events ignored.

    The candidate is known from the inbox; the organizer and the other attendees (not the
    candidate) are the interviewers, contacts, machines or rooms as nudges.domain.people says;
    the company is one the title names, else the organizer's domain unless it is free mail or a
    machine's (no-reply@zoom.us), else the first other attendee's that tells one.
    """
    calendar = parse_calendar(data, charset)
    method = str(calendar.get("METHOD", "PUBLISH")).strip().upper()
    if method not in BOOKING_METHODS and method != "CANCEL":
        # REPLY, COUNTER, REFRESH...: answers about an event, not the event: ignored, and said so.
        reason = ANSWER_METHODS.get(method, f"METHOD:{method[:40]} is not an invitation: nothing to book")
        answered = calendar.walk("VEVENT")[:1]
        return InviteReading([], [_ignored(e, _uid(e), reason) for e in answered] or [{"event": "", "reason": reason}])
    changes: list[BookingChange] = []
    ignored: list[dict[str, str]] = []
    masters: dict[str, tuple[Interview, bool]] = {}  # each UID's event without RECURRENCE-ID, and cancelled or not
    own = set(own_addresses(candidate))  # registered and aliases; the caller's predicate adds the rest
    organizer_listed = bool(ORGANIZER_LISTED.search(str(calendar.get("PRODID", ""))))
    events = list(calendar.walk("VEVENT"))
    series = {_uid(e) for e in events if ("RRULE" in e or "RDATE" in e) and "RECURRENCE-ID" not in e}
    for event in events:
        uid = _uid(event)
        _check_event(event, uid, received_at)
        if uid in series and "RECURRENCE-ID" in event:
            continue  # an override: the series' expansion below puts it in place of its occurrence
        cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
        title = _text(event.get("SUMMARY")) or "Interview"
        start = _instant(_decoded(event, "DTSTART"), candidate.zone)
        named = str(event.get("SUMMARY", ""))
        all_day = _all_day(event, candidate) if start is None and is_interview_like(named) else None
        if all_day is not None:
            start = all_day[0]
        elif start is None and not cancelled:
            reason = "an all-day event whose title names no interview" if _decoded(event, "DTSTART") else "no date"
            ignored.append(_ignored(event, uid, reason))
            continue
        if uid in series and _matches_no_date(event):
            ignored.append(_ignored(event, uid, "the series' RRULE matches no date"))
            continue
        if uid in series and _frequency(event) in NOT_INTERVIEW_FREQUENCIES:
            ignored.append(_ignored(event, uid, f"a series repeating {_frequency(event).lower()} is no interview"))
            continue
        end = all_day[1] if all_day is not None else _instant(_decoded(event, "DTEND"), candidate.zone)
        duration = _decoded(event, "DURATION")
        if start is None:
            start = received_at
        if end is None or end <= start:
            end = start + (duration if isinstance(duration, timedelta) and duration > timedelta(0) else DEFAULT_LENGTH)

        addresses: list[Address] = []
        organizer = event.get("ORGANIZER")
        organizer_email = _address(organizer) if organizer is not None else None
        if organizer is not None and (organizer_email or _name(organizer)):
            addresses.append(Address(organizer_email or "", _name(organizer), organizer=True))
        for attendee in _as_list(event.get("ATTENDEE")):
            address = _address(attendee)
            params = getattr(attendee, "params", {})
            cutype = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
            if address or _name(attendee):  # a broken address drops the address, not the person
                addresses.append(
                    Address(
                        address or "",
                        _name(attendee),
                        resource=cutype in NOT_PEOPLE,
                        group=cutype == GROUP,
                        declined=str(params.get("PARTSTAT", "")).upper() == "DECLINED",
                        non_participant=str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT",
                    )
                )
        addresses = _without_relay_copies(addresses)
        # The candidate may be invited at another address than the one registered (one they
        # forwarded from, a connected calendar's), or under their name written another way.
        owned = [a.email for a in addresses if a.email and (a.email in own or is_candidate_address(a.email))]
        who = cast(
            addresses,
            title=title,
            description=str(event.get("DESCRIPTION", "")) or None,
            own_addresses=[*own, *owned],
            own_names=[candidate.name or ""],
            organizer_listed=organizer_listed,
        )
        company = who.company
        stamp = _decoded(event, "DTSTAMP") or _decoded(event, "LAST-MODIFIED")
        recurrence = _decoded(event, "RECURRENCE-ID")
        ref = f"{candidate.candidate_id}/{uid}"
        if isinstance(recurrence, datetime):
            ref += f"/{_instant(recurrence, candidate.zone).isoformat()}"  # type: ignore[union-attr]
        elif isinstance(recurrence, date):
            ref += f"/{recurrence.isoformat()}"
        interview = Interview(
            interview_id="",
            source=SOURCE,
            source_ref=ref,
            candidate_email=normalise_email(candidate.email),
            candidate_name=candidate.name,
            company=company,
            title=title,
            start=start,
            end=end,
            interviewers=who.interviewers,
            contacts=who.contacts,
            recruiter=who.recruiter,
            updated_at=_instant(stamp, UTC) if stamp is not None else received_at,
            provider_version=_sequence(event),
        )
        action: Literal["booked", "cancelled"] = "cancelled" if cancelled else "booked"
        if "RECURRENCE-ID" not in event:
            masters[uid] = (interview, cancelled)
        if uid in series:
            occurrences = _occurrences(calendar, event, uid, interview, candidate, received_at, cancelled)
            if not occurrences:
                ignored.append(_ignored(event, uid, "the series has no occurrence ahead"))
            changes += occurrences
            continue
        changes.append(BookingChange(action=action, interview=interview))
    revisions = [
        _revision(uid, master, cancelled, uid in series, events, changes, received_at)
        for uid, (master, cancelled) in masters.items()
    ]
    return InviteReading(changes, ignored, revisions)


def _revision(
    uid: str,
    master: Interview,
    cancelled: bool,
    is_series: bool,
    events: list[icalendar.Component],
    changes: list[BookingChange],
    received_at: datetime,
) -> Revision:
    """What the file says about ``uid`` as a whole (nudges.domain.series): its newest SEQUENCE
    (an override may be newer than its master), the references it books, and the window its
    expansion covers (up to the last occurrence when ``MAX_OCCURRENCES`` cut it short)."""
    ref = master.source_ref
    booked = [c.interview for c in changes if c.action == "booked" and belongs(c.interview, ref)]
    through = received_at + SERIES_HORIZON if is_series else received_at + HORIZON
    if is_series and len([c for c in changes if belongs(c.interview, ref)]) >= MAX_OCCURRENCES:
        through = max(i.start for i in booked) if booked else through
    return Revision(
        uid=uid,
        ref=ref,
        sequence=max(_sequence(e) for e in events if _uid(e) == uid),
        stamp=master.updated_at,
        refs=frozenset(i.source_ref for i in booked),
        through=through,
        cancel_all=cancelled,
    )


def _ignored(event: icalendar.Component, uid: str, reason: str) -> dict[str, str]:
    """An event left out: its UID, its title when it has one (what a receipt names), and why."""
    summary = _text(event.get("SUMMARY"))
    return {"event": uid, **({"summary": clip(summary, 120)} if summary else {}), "reason": reason}


def _sequence(event: icalendar.Component) -> int:
    """The event's SEQUENCE, clamped to 0..2^31-1 (a revision beyond it is still the newest)."""
    if "SEQUENCE" not in event:
        return 0
    return min(max(int(str(event.get("SEQUENCE")).strip()), 0), MAX_SEQUENCE)


def _without_relay_copies(addresses: list[Address]) -> list[Address]:
    """``addresses`` without a relay address whose person is listed by a real address too
    (iCloud's organizer relay beside the same person as an attendee): one person, not two."""
    real_names = {a.name.casefold() for a in addresses if a.name and a.email and not is_relay(a.email)}
    return [a for a in addresses if not (a.email and is_relay(a.email) and a.name.casefold() in real_names)]


def _all_day(event: icalendar.Component, candidate: Candidate) -> tuple[datetime, datetime] | None:
    """An all-day (or multi-day) event's span as an interview, in the candidate's zone; None for
    an event with no date."""
    first = _decoded(event, "DTSTART")
    if not isinstance(first, date) or isinstance(first, datetime):
        return None
    end = _decoded(event, "DTEND")
    duration = _decoded(event, "DURATION")
    if isinstance(end, date) and not isinstance(end, datetime) and end > first:
        last = end - timedelta(days=1)  # DTEND of an all-day event is the day after it
    elif isinstance(duration, timedelta) and duration >= timedelta(days=1):
        last = first + duration - timedelta(days=1)
    else:
        last = first
    return all_day_span(first, last, candidate.zone)


def _uid(event: icalendar.Component) -> str:
    """The event's UID; for one without (old Lotus Notes, some scripts), one made from what
    identifies it, so the same invite sent again finds the same interview."""
    uid = str(event.get("UID", "")).strip()
    if uid:
        return uid
    parts = [str(event.get(name, "")) for name in ("ORGANIZER", "DTSTART", "SUMMARY")]
    return "no-uid-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _check_event(event: icalendar.Component, uid: str, now: datetime) -> None:
    """400 naming the event and the property for anything read here that is broken."""
    where = f"VEVENT {uid[:80]}"
    broken = {name: reason for name, reason in event.errors}
    if "SEQUENCE" in broken and re.fullmatch(r"[+-]?\d{1,40}", str(event.get("SEQUENCE", "")).strip()):
        del broken["SEQUENCE"]  # a whole number out of range: clamped (``_sequence``), not refused
    for name in (*READ, *READ_LISTS):
        if name in broken:
            raise InvalidInput(f"{where}: {name}: {broken[name]}", field=name)
    for name in READ:
        if isinstance(event.get(name), list):
            raise InvalidInput(f"{where}: {name}: given more than once", field=name)
    if len(uid) > MAX_REF:
        raise InvalidInput(f"{where[:90]}: UID: {len(uid)} characters; at most {MAX_REF}", field="UID")
    try:
        check_people(len(_as_list(event.get("ATTENDEE"))), "ATTENDEE")
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}", field="ATTENDEE") from None
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "DTSTAMP", "LAST-MODIFIED"):
        value = _decoded(event, name)
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            try:
                check_instant(moment, now, name)
            except InvalidInput as exc:
                raise InvalidInput(f"{where}: {exc.message}", field=name) from None
    if "DURATION" in event and not isinstance(_decoded(event, "DURATION"), timedelta):
        raise InvalidInput(f"{where}: DURATION: not a duration", field="DURATION")


_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _matches_no_date(event: icalendar.Component) -> bool:
    """Whether a rule asks for month days its months never have ("30 February"): dateutil would
    search such a rule day by day up to year 9999 (seconds of CPU) before giving up."""
    for rule in _as_list(event.get("RRULE")):
        days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        if not days or any(d < 0 for d in days):
            continue
        months = [int(m) for m in rule.get("BYMONTH", [])] or list(_MONTH_DAYS)
        if min(days) > max(_MONTH_DAYS.get(m, 31) for m in months):
            return True
    return False


def _frequency(event: icalendar.Component) -> str:
    rules = _as_list(event.get("RRULE"))
    return str(rules[0].get("FREQ", [""])[0]).upper() if rules else ""


def _occurrences(
    calendar: icalendar.Calendar,
    master: icalendar.Component,
    uid: str,
    interview: Interview,
    candidate: Candidate,
    received_at: datetime,
    cancelled: bool,
) -> list[BookingChange]:
    """One change per occurrence of the series ``uid`` still ahead (or under way), within
    ``SERIES_HORIZON``: each is an interview of its own (its reference names the occurrence by
    its RECURRENCE-ID, as an override does); the occurrences its EXDATE removed are cancelled."""
    series = icalendar.Calendar()
    for name in ("VTIMEZONE",):
        for component in calendar.walk(name):
            series.add_component(component)
    horizon = received_at + SERIES_HORIZON
    for event in calendar.walk("VEVENT"):
        if _uid(event) == uid:
            series.add_component(event)
    changes: list[BookingChange] = []
    try:
        # Within the horizon only: a rule no date matches ("every Monday 30 February") would
        # otherwise be searched to year 9999 (seconds of CPU for one request).
        found = recurring_ical_events.of(series).between(received_at, horizon)
        for occurrence in itertools.islice(found, MAX_OCCURRENCES):
            start = _instant(occurrence.decoded("DTSTART"), candidate.zone)
            if start is None or start > horizon:
                break
            end = _instant(occurrence.decoded("DTEND"), candidate.zone) if "DTEND" in occurrence else None
            recurrence = (
                _instant(occurrence.decoded("RECURRENCE-ID"), candidate.zone) if "RECURRENCE-ID" in occurrence else None
            )
            this = replace(
                interview,
                start=start,
                end=end if end and end > start else start + (interview.end - interview.start),
                title=_text(occurrence.get("SUMMARY")) or interview.title,
                source_ref=f"{interview.source_ref}/{(recurrence or start).isoformat()}",
            )
            gone = cancelled or str(occurrence.get("STATUS", "")).upper() == "CANCELLED"
            changes.append(BookingChange(action="cancelled" if gone else "booked", interview=this))
    except InvalidInput:
        raise
    except Exception as exc:  # the library's own refusal of a series it cannot expand
        raise InvalidInput(f"VEVENT {uid[:80]}: RRULE: the series cannot be expanded ({exc})", field="RRULE") from None
    for value in _as_list(master.get("EXDATE")):
        for excluded in getattr(value, "dts", []):
            moment = _instant(excluded.dt, candidate.zone)
            if moment is not None and received_at < moment <= horizon:
                excluded_one = replace(
                    interview,
                    start=moment,
                    end=moment + (interview.end - interview.start),
                    source_ref=f"{interview.source_ref}/{moment.isoformat()}",
                )
                changes.append(BookingChange(action="cancelled", interview=excluded_one))
    return changes


def calendars_in_mail(raw: bytes) -> list[tuple[bytes, str | None]]:
    """Every calendar in a MIME message, with the charset its part declares: ``text/calendar``
    parts (Outlook, Google), .ics attachments, and those of messages forwarded as attachments.
    The same calendar sent twice (Google sends it inline and attached) is returned once."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found: list[tuple[bytes, str | None]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() not in CALENDAR_TYPES and not filename.endswith(".ics"):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload and payload.strip() not in (p.strip() for p, _ in found):
            found.append((payload, part.get_content_charset()))
    return found


def sender_of(raw: bytes) -> str | None:
    """The address a mail came from (the candidate forwarding an invite: one of theirs)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    _, address = email.utils.parseaddr(str(message.get("From", "")))
    return normalise_email(address) if "@" in address else None


def mail_subject(raw: bytes) -> str | None:
    """The mail's subject without its forwarding prefixes (``Fwd:``, ``FW:``, ``WG:``), for the
    add-an-interview page a mail without an invitation is answered with; None when it has none."""
    import re

    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = " ".join(str(message.get("Subject") or "").split())
    subject = re.sub(r"^(?:(?:fwd?|fw|wg|tr|rv|re)\s*:\s*)+", "", subject, flags=re.IGNORECASE).strip()
    return subject[:200] or None
