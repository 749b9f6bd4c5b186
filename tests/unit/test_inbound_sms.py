"""Inbound texts through the preference service with in-memory fakes: what each keyword does,
and each keyword answered once, recorded as ``sms_reply``."""

from __future__ import annotations

from datetime import UTC, datetime

from nudges.domain.candidate import phone_key
from nudges.domain.service_messages import sms_reply
from nudges.domain.sms_keywords import Keyword
from nudges.services.preferences import PreferenceService
from tests.fakes.repositories import FakeCandidates, FakePreferences, FakeSms

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NUMBER = "+447700900123"
STOP_REPLY = "Interview Nudges: you will get no more texts from us. Reply START to resume. Emails are not affected."
HELP_REPLY = sms_reply("help")


def service(consents: list | None = None) -> tuple[PreferenceService, FakePreferences, FakeSms]:
    preferences, sms = FakePreferences(), FakeSms()
    hook = (lambda number, message_id, at: consents.append((number, message_id))) if consents is not None else None
    return PreferenceService(FakeCandidates(), preferences, sms, on_consent=hook), preferences, sms


def test_stop_with_a_full_stop_opts_out_and_is_confirmed_once_even_when_delivered_twice():
    svc, preferences, sms = service()
    for _ in range(2):  # the SMS topic delivers at least once
        assert svc.sms_received("in-1", NUMBER, "Stop.", NOW) is Keyword.STOP
    assert preferences.opted_out == {phone_key(NUMBER)}
    assert sms.sent == [(NUMBER, STOP_REPLY)]
    assert preferences.replies["in-1"] == {"message_id": "sns-1", "sent_at": NOW, "kind": "sms_reply"}
    assert NUMBER not in str(preferences.inbound)  # only the hash is kept


def test_start_please_opts_back_in_also_at_the_carrier_and_help_is_answered():
    svc, preferences, sms = service()
    svc.sms_received("in-1", NUMBER, "STOP", NOW)
    assert svc.sms_received("in-2", NUMBER, "start please", NOW) == "start"
    assert preferences.opted_out == set() and sms.opted_in == [NUMBER]
    assert svc.sms_received("in-3", NUMBER, "help?", NOW) is Keyword.HELP
    assert sms.sent[-1] == (NUMBER, HELP_REPLY) and "Reply STOP to stop texts" in HELP_REPLY
    assert set(preferences.replies) == {"in-1", "in-2", "in-3"}


def test_yes_is_handed_to_the_consent_hook_and_other_texts_change_nothing():
    consents: list = []
    svc, preferences, sms = service(consents)
    assert svc.sms_received("in-4", NUMBER, "Yes!", NOW) is Keyword.YES
    assert consents == [(NUMBER, "in-4")]
    bare, _, _ = service()
    assert bare.sms_received("in-5", NUMBER, "yes please", NOW) is Keyword.YES  # no hook wired: kept, no error
    assert svc.sms_received("in-6", NUMBER, "see you Tuesday, stop by", NOW) is None
    assert sms.sent == [] and preferences.opted_out == set()


def test_keywords_in_the_candidates_language_are_answered_in_it():
    preferences, sms = FakePreferences(), FakeSms()
    languages = {NUMBER: "de-DE", "+819012345678": "ja-JP", "+5511987654321": "pt-BR"}
    svc = PreferenceService(FakeCandidates(), preferences, sms, locale_of=languages.get)
    assert svc.sms_received("in-1", NUMBER, "Stopp", NOW) is Keyword.STOP
    assert sms.sent[-1] == (NUMBER, sms_reply("stop", "de-DE"))
    assert "keine SMS mehr" in sms.sent[-1][1]
    assert svc.sms_received("in-2", "+819012345678", "ヘルプ", NOW) is Keyword.HELP
    assert "配信停止" in sms.sent[-1][1]
    assert svc.sms_received("in-3", "+5511987654321", "Sair", NOW) is Keyword.STOP
    assert sms.sent[-1][1] == sms_reply("stop", "pt-BR") and "nao recebera mais SMS" in sms.sent[-1][1]
    assert svc.sms_received("in-4", "+5511987654321", "Hilfe", NOW) is None  # German words are for German speakers
    assert svc.sms_received("in-5", "+447700900999", "STOP", NOW) is Keyword.STOP  # nobody known: English
    assert sms.sent[-1][1] == STOP_REPLY
