"""Each channel's sender, one shape for all (``ports.ChannelSender``): what it sends of a message
and to which of the candidate's addresses, and whether the provider's own opt-out list refuses
it. ``SendService`` holds them by channel name (nudges.domain.channels); a new channel adds its
class here and its entry in ``senders``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate
    from nudges.domain.messages import Message
    from nudges.services.ports import ChannelSender, EmailOut, SmsOut


class EmailChannel:
    """The whole email (subject, text, HTML) to the candidate's address, with the unsubscribe header."""

    def __init__(self, email: EmailOut) -> None:
        self._email = email

    def send(self, candidate: Candidate, message: Message, unsubscribe_url: str | None, ref: str | None = None) -> str:
        return self._email.send(
            candidate.email,
            message.subject,
            message.text,
            message.html,
            to_name=candidate.name,
            unsubscribe_url=unsubscribe_url,
            ref=ref,
        )

    def opted_out(self, candidate: Candidate) -> bool:
        return False  # SES keeps no list of its own here: suppressions are ours (contact preferences)


class SmsChannel:
    """The short text, fitted to two segments, to the candidate's number."""

    def __init__(self, sms: SmsOut) -> None:
        self._sms = sms

    def send(self, candidate: Candidate, message: Message, unsubscribe_url: str | None, ref: str | None = None) -> str:
        assert candidate.phone is not None
        return self._sms.send(candidate.phone, message.sms, ref)

    def opted_out(self, candidate: Candidate) -> bool:
        """SNS's own opt-out list (a STOP that reached AWS itself)."""
        return self._sms.opted_out(candidate.phone or "")


def senders(email: EmailOut, sms: SmsOut, whatsapp: ChannelSender | None = None) -> dict[str, ChannelSender]:
    """The sender of every channel in nudges.domain.channels, by name (WhatsApp's is its own
    module's, services.whatsapp.WhatsAppChannel; left out where nothing goes by WhatsApp)."""
    found: dict[str, ChannelSender] = {"email": EmailChannel(email), "sms": SmsChannel(sms)}
    if whatsapp is not None:
        found["whatsapp"] = whatsapp
    return found
