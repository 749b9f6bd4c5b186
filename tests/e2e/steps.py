"""What the e2e stories do over and over, said once: register a candidate, book an interview
(a signed Cal.com booking). Each asserts the answer a caller expects
(201, 200) and returns what the story goes on with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from local_stack.client import JANE

if TYPE_CHECKING:
    from datetime import datetime

    from local_stack.client import LocalClient

__all__ = ["JANE", "book", "register"]


def register(
    client: LocalClient,
    email: str,
    phone: str | None = None,
    *,
    name: str = "Ada Lovelace",
    timezone: str = "Europe/London",
    channels: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``POST /candidates``: by default Ada Lovelace in London, by email, and by SMS too when a
    phone is given (with the stories' SMS consent unless ``sms_consent=None``). Returns the body
    (``candidate_id``, the candidate's links)."""
    body: dict[str, Any] = {
        "email": email,
        "timezone": timezone,
        "channels": channels or (["email", "sms"] if phone else ["email"]),
        "name": name,
        **({"phone": phone} if phone else {}),
        **extra,
    }
    reply = client.register(**body)
    assert reply.status == 201, reply
    return reply.body


def book(client: LocalClient, email: str, uid: str, start: datetime, now: datetime, **extra: Any) -> str:
    """A signed one-hour Cal.com booking for ``email`` said at ``now`` (``extra``: trigger, name,
    organizer, title, reschedule_uid); returns the interview id."""
    reply = client.book(email, uid, start, now, **extra)
    assert reply.status == 200, reply
    return reply.body["interview_id"]
