"""The mail a calendar invite arrives in (forwarded to the candidate's inbox address): the
calendars in it, who sent it, and its subject.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re

from nudges.domain.interview import normalise_email

CALENDAR_TYPES = {"text/calendar", "application/ics", "application/x-ics"}


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
    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = " ".join(str(message.get("Subject") or "").split())
    subject = re.sub(r"^(?:(?:fwd?|fw|wg|tr|rv|re)\s*:\s*)+", "", subject, flags=re.IGNORECASE).strip()
    return subject[:200] or None
