"""The inbound SMS service with in-memory fakes: what each keyword does, replies sent once."""

from __future__ import annotations

from datetime import UTC, datetime

from nudges.domain.candidate import phone_key
from nudges.domain.sms_keywords import Keyword
from nudges.services.inbound_sms import HELP_REPLY, STOP_REPLY, InboundSmsService

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NUMBER = "+447700900123"


class Fakes:
    def __init__(self) -> None:
        self.opted_out: dict[str, bool] = {}
        self.texts: dict[str, dict] = {}
        self.sent: list[tuple[str, str]] = []
        self.opted_in: list[str] = []
        self.consents: list[tuple[str, str]] = []

    # OptOuts
    def set_sms_opt_out(self, phone_hash, opted_out, at):
        self.opted_out[phone_hash] = opted_out

    # InboundLog
    def record(self, message_id, sender_hash, body, received_at):
        self.texts.setdefault(message_id, {}).update(sender_hash=sender_hash, body=body)

    def claim_reply(self, message_id, now):
        if "claimed" in self.texts[message_id]:
            return False
        self.texts[message_id]["claimed"] = now
        return True

    def release_reply(self, message_id):
        self.texts[message_id].pop("claimed", None)

    def record_reply(self, message_id, reply_message_id, sent_at, sent_order):
        self.texts[message_id]["send_sms"] = {"message_id": reply_message_id, "sent_at": sent_at}

    # Texts
    def send(self, to, text):
        self.sent.append((to, text))
        return f"sms-{len(self.sent)}"

    def opt_in(self, phone):
        self.opted_in.append(phone)


def service(fakes: Fakes, consent=None) -> InboundSmsService:
    return InboundSmsService(fakes, fakes, fakes, on_consent=consent)


def test_stop_with_a_full_stop_opts_out_and_is_confirmed_once_even_when_delivered_twice():
    fakes = Fakes()
    for _ in range(2):  # the SMS topic delivers at least once
        assert service(fakes).handle(NUMBER, "Stop.", "in-1", NOW) is Keyword.STOP
    assert fakes.opted_out == {phone_key(NUMBER): True}
    assert fakes.sent == [(NUMBER, STOP_REPLY)]
    assert fakes.texts["in-1"]["send_sms"] == {"message_id": "sms-1", "sent_at": NOW}
    assert NUMBER not in str(fakes.texts)  # only the hash is kept


def test_start_opts_back_in_also_at_the_carrier_and_help_answers():
    fakes = Fakes()
    service(fakes).handle(NUMBER, "start please", "in-2", NOW)
    assert fakes.opted_out == {phone_key(NUMBER): False} and fakes.opted_in == [NUMBER]
    service(fakes).handle(NUMBER, "help?", "in-3", NOW)
    assert fakes.sent[-1] == (NUMBER, HELP_REPLY)


def test_yes_is_handed_to_the_consent_hook_and_other_texts_change_nothing():
    fakes = Fakes()
    service(fakes, consent=lambda number, message_id, at: fakes.consents.append((number, message_id))).handle(
        NUMBER, "Yes!", "in-4", NOW
    )
    assert fakes.consents == [(NUMBER, "in-4")]
    assert service(fakes).handle(NUMBER, "Yes!", "in-5", NOW) is Keyword.YES  # no hook wired: kept, no error
    assert service(fakes).handle(NUMBER, "see you Tuesday, stop by", "in-6", NOW) is None
    assert fakes.sent == [] and fakes.opted_out == {}
