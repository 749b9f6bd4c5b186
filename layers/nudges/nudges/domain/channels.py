"""The channels a nudge goes by, each said once: what it is called, which of the candidate's
fields reaches them there, whether it waits for consent, what refuses it, how big a message may
be, which part of a message it carries, the port that sends it and the events that say what
became of it. Every list of channels (the API's, the metrics', the CLI's, the pages') and every
per-channel branch (sending, reachability, refusals) reads this registry.

Adding a channel (WhatsApp, say): a record here, its name in :data:`Channel`, its opt-out key
in ``adapters/keys.OPT_OUT_KEYS``, a sender adapter beside ``adapters/email.py`` and
``adapters/sms.py`` wrapped as a ``ChannelSender`` in ``wiring.channel_senders``, and its catalog
entries if it says something of its own. The README's map lists the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from nudges.domain.candidate import Candidate

Channel = Literal["email", "sms", "whatsapp"]


def phone_key(phone: str) -> str:
    """How opt-outs remember a number without storing it."""
    return hashlib.sha256(phone.strip().encode()).hexdigest()


@dataclass(frozen=True)
class ChannelSpec:
    name: Channel
    address_field: Literal["email", "phone"]  # the candidate's field that reaches them here
    # Double opt-in: without consent on record only the kinds that ask for it (the welcome) go.
    needs_consent: bool
    # What refuses it: the opt-out store's record (keyed by the address or its hash, never the
    # candidate, so it holds for whoever registers the address next), and the reason it means
    # when the record carries none.
    opt_out: Literal["email_suppression", "sms_opt_out", "whatsapp_opt_out"]
    opt_out_reason: str
    # How a refusal reads in a skipped nudge's reason (None: the opt-out record's own reason).
    refused_as: str | None
    # The provider keeps its own opt-out list too (SNS's STOP list), asked right before a send.
    provider_opt_out: bool
    # The part of a message it carries: the whole email (subject, text, HTML, with its footer
    # and unsubscribe link), the short text fitted to two SMS segments (domain/sms_encoding), or
    # the kind's approved WhatsApp template with the short text as its advice (domain/whatsapp).
    body: Literal["email", "short_text", "template"]
    size_rule: str
    # The port that sends it (``wiring.channel_senders`` builds one per channel).
    sender: str
    # The provider's events that move a sent message's status (domain/deliveries).
    status_events: tuple[str, ...]
    # Why the candidate cannot be reached here, by the reachability rules (API, pages).
    not_chosen: str = "not_chosen"
    no_address: str | None = None
    awaiting_consent: str | None = None
    # Whether the kinds that ask for consent (the welcome's "reply YES") go here before it: by
    # SMS, yes; WhatsApp is never used to ask (its opt-in is collected on a page or by the operator).
    asks_for_consent: bool = True
    # The consent rule: the candidate's fields any of which is evidence of their opt-in here (the
    # first is the one an operator, the API or a join form records; ``sms_yes`` is a YES texted
    # back). Empty for a channel that needs none.
    consent_evidence: tuple[str, ...] = ()
    # Offered on the join page (``self_service``): WhatsApp's opt-in is taken by the operator or
    # on the preferences page, not there.
    on_join_form: bool = True
    # What the preferences page (``nudges.pages``) says of it, each a ``page.<key>`` catalog entry
    # in every locale: the label of its box; the note beside the box while nothing stops it
    # (``{email}``, ``{phone}``: the candidate's); the note instead while it could not reach them
    # if chosen: no address, refused by its opt-out, waiting for their opt-in (None: the first note).
    page_label: str = ""
    page_note: str | None = None
    page_no_address: str | None = None
    page_refused: str | None = None
    page_awaiting: str | None = None
    # The page's offer to ask for the opt-in again, for a channel that asks for it: its words are
    # ``page.<key>.heading``, ``.text`` and ``.button``.
    page_ask_again: str | None = None

    @property
    def consent_field(self) -> str | None:
        """The candidate's field an opt-in given by the operator, the API or a form is kept in."""
        return self.consent_evidence[0] if self.consent_evidence else None

    def waits_for_consent(self, candidate: Candidate) -> bool:
        """No evidence yet of the candidate's opt-in here (a channel that needs none never waits)."""
        return self.needs_consent and all(getattr(candidate, f) is None for f in self.consent_evidence)

    def address(self, candidate: Candidate) -> str | None:
        """The candidate's address on this channel, if they gave one."""
        return getattr(candidate, self.address_field) or None

    def page_note_key(self, candidate: Candidate, refused: bool) -> str | None:
        """The preferences page's note beside this channel's box (a ``page.*`` key, or None), by
        what would stop a nudge here if the candidate chose it, in reachability's order."""
        if not self.address(candidate):
            return self.page_no_address or self.page_note
        if refused:
            return self.page_refused or self.page_note
        if self.waits_for_consent(candidate):
            return self.page_awaiting or self.page_note
        return self.page_note

    def opt_out_address(self, address: str) -> str:
        """What the opt-out record is keyed by: the address itself, or a hash of the number."""
        return address if self.address_field == "email" else phone_key(address)


EMAIL = ChannelSpec(
    name="email",
    address_field="email",
    needs_consent=False,
    opt_out="email_suppression",
    opt_out_reason="unsubscribed",
    refused_as=None,
    provider_opt_out=False,
    body="email",
    size_rule="none: text and HTML parts, with the footer",
    sender="email",
    status_events=("Delivery", "DeliveryDelay", "Bounce", "Complaint", "Reject", "Rendering Failure"),
    page_label="channel.email",
    page_note="channel.email_to",  # a refusal is said in the page's own email section
)
SMS = ChannelSpec(
    name="sms",
    address_field="phone",
    needs_consent=True,
    opt_out="sms_opt_out",
    opt_out_reason="opted_out",
    refused_as="opted out by SMS",
    provider_opt_out=True,
    body="short_text",
    size_rule="two segments: 306 GSM-7 septets, else 134 UCS-2 units",
    sender="sms",
    # End User Messaging SMS's configuration-set events (SNS, where the operator chose it: none).
    status_events=("TEXT_DELIVERED", "TEXT_BLOCKED", "TEXT_UNREACHABLE", "TEXT_CARRIER_UNREACHABLE", "TEXT_SPAM"),
    no_address="no_phone",
    awaiting_consent="awaiting_sms_consent",
    consent_evidence=("sms_consent", "sms_yes"),
    page_label="channel.sms",
    page_no_address="sms.no_phone",
    page_refused="sms.opted_out",
    page_awaiting="sms.awaiting",
    page_ask_again="sms.ask",
)
WHATSAPP = ChannelSpec(
    name="whatsapp",
    address_field="phone",
    needs_consent=True,
    opt_out="whatsapp_opt_out",
    opt_out_reason="opted_out",
    refused_as="opted out on WhatsApp",
    provider_opt_out=False,  # Meta keeps no list for us: a STOP on WhatsApp is ours
    body="template",
    size_rule="the kind's approved template, 1,024 characters filled in (domain/whatsapp)",
    sender="whatsapp",
    status_events=("sent", "delivered", "read", "failed"),
    no_address="no_phone",
    awaiting_consent="awaiting_whatsapp_consent",
    asks_for_consent=False,
    consent_evidence=("whatsapp_consent",),
    on_join_form=False,
    page_label="channel.whatsapp",
    page_no_address="sms.no_phone",  # "(no phone number registered)": the same words
    page_refused="whatsapp.opted_out",
    page_awaiting="whatsapp.awaiting",
)

CHANNEL_SPECS: dict[str, ChannelSpec] = {spec.name: spec for spec in (EMAIL, SMS, WHATSAPP)}
CHANNELS: tuple[Channel, ...] = tuple(spec.name for spec in CHANNEL_SPECS.values())
# The channels the join page offers.
JOIN_CHANNELS: tuple[Channel, ...] = tuple(s.name for s in CHANNEL_SPECS.values() if s.on_join_form)
# The channels that wait for an opt-in, and the candidate's field each keeps it in.
CONSENT_FIELDS: dict[str, str] = {s.name: s.consent_field for s in CHANNEL_SPECS.values() if s.consent_field}


def opt_outs(candidate: Candidate) -> tuple[tuple[str, str], ...]:
    """The opt-out records that may refuse the candidate now, by their addresses: (the record's
    kind, the address or its hash) for each channel they gave an address for."""
    found = []
    for spec in CHANNEL_SPECS.values():
        address = spec.address(candidate)
        if address:
            found.append((spec.opt_out, spec.opt_out_address(address)))
    return tuple(found)


def channel(name: str) -> ChannelSpec:
    return CHANNEL_SPECS[name]
