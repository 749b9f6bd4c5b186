"""Inbound SMS keywords: any case, with punctuation or words after them."""

from __future__ import annotations

import pytest

from nudges.domain.sms_keywords import Keyword, keyword_name, parse_keyword


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", Keyword.STOP),
        ("Stop.", Keyword.STOP),
        ("stop please", Keyword.STOP),
        ("  Stop!!  ", Keyword.STOP),
        ("(stop)", Keyword.STOP),
        ('"Stop"', Keyword.STOP),
        ("STOP\nthanks", Keyword.STOP),
        ("ＳＴＯＰ", Keyword.STOP),  # full-width, as some phones type it
        ("stopall", Keyword.STOP),
        ("Stop all", Keyword.STOP),
        ("unsubscribe", Keyword.STOP),
        ("Cancel.", Keyword.STOP),
        ("end", Keyword.STOP),
        ("QUIT", Keyword.STOP),
        ("optout", Keyword.STOP),
        ("Opt out", Keyword.STOP),
        ("opt-out please", Keyword.STOP),
        ("revoke", Keyword.STOP),
        ("Arrêt", Keyword.STOP),
        ("Remove me", Keyword.STOP),
        ("TD", Keyword.STOP),
        ("START", Keyword.START),
        ("start.", Keyword.START),
        ("Unstop", Keyword.START),
        ("un-stop", Keyword.START),
        ("HELP", Keyword.HELP),
        ("help?", Keyword.HELP),
        ("Help me please", Keyword.HELP),
        ("info", Keyword.HELP),
        ("YES", Keyword.YES),
        ("yes!", Keyword.YES),
        ("Yes please", Keyword.YES),
        ("Y", Keyword.YES),
    ],
)
def test_keywords_in_any_case_with_punctuation_or_words_after_them(body, keyword):
    assert parse_keyword(body) is keyword


@pytest.mark.parametrize(
    "body",
    ["", "   ", "...", "Stopping by later", "Yesterday was great", "please stop", "hello", "2 stop", "opt outside"],
)
def test_anything_else_is_no_keyword(body):
    assert parse_keyword(body) is None


def test_the_log_name_is_the_keyword_never_the_message():
    assert keyword_name("Stop. My number is +447700900123") == "stop"
    assert keyword_name("call me on +447700900123") == "none"


@pytest.mark.parametrize(
    ("locale", "body", "keyword"),
    [
        ("de-DE", "STOPP", Keyword.STOP),
        ("de-DE", "Abmelden bitte", Keyword.STOP),
        ("de-DE", "Hilfe", Keyword.HELP),
        ("de-DE", "Ja!", Keyword.YES),
        ("de-DE", "Anmelden", Keyword.START),
        ("fr-FR", "Arrêt", Keyword.STOP),
        ("fr-FR", "ARRET", Keyword.STOP),
        ("fr-FR", "Aide", Keyword.HELP),
        ("fr-FR", "oui", Keyword.YES),
        ("es-ES", "Baja", Keyword.STOP),
        ("es-ES", "Sí", Keyword.YES),
        ("es-ES", "ayuda", Keyword.HELP),
        ("nl-NL", "afmelden", Keyword.STOP),
        ("nl-NL", "Hulp", Keyword.HELP),
        ("pt-BR", "Parar", Keyword.STOP),
        ("pt-BR", "sair", Keyword.STOP),
        ("pt-BR", "Sim", Keyword.YES),
        ("pt-BR", "Ajuda", Keyword.HELP),
        ("it-IT", "Annulla", Keyword.STOP),
        ("it-IT", "Sì", Keyword.YES),
        ("ja-JP", "配信停止", Keyword.STOP),
        ("ja-JP", "配信停止してください", Keyword.STOP),
        ("ja-JP", "ストップ", Keyword.STOP),
        ("ja-JP", "はい", Keyword.YES),
        ("ja-JP", "ヘルプ", Keyword.HELP),
        ("ja-JP", "再開", Keyword.START),
        ("zh-CN", "退订", Keyword.STOP),
        ("zh-CN", "TD", Keyword.STOP),
        ("zh-CN", "td", Keyword.STOP),
        ("zh-CN", "是", Keyword.YES),
        ("zh-CN", "是的", Keyword.YES),
        ("zh-CN", "帮助", Keyword.HELP),
        # English works in every locale.
        ("de-DE", "STOP", Keyword.STOP),
        ("ja-JP", "help", Keyword.HELP),
        ("pt-BR", "YES", Keyword.YES),
    ],
)
def test_keywords_in_the_candidates_language(locale: str, body: str, keyword: Keyword) -> None:
    assert parse_keyword(body, locale) is keyword


def test_opt_out_words_work_from_anyone_other_keywords_only_in_their_language() -> None:
    assert parse_keyword("Abmelden") is Keyword.STOP  # no locale known: an opt-out is never missed
    assert parse_keyword("退订", "en-GB") is Keyword.STOP
    assert parse_keyword("Ja", "en-GB") is None  # yes only in German or Dutch
    assert parse_keyword("Ja", "nl-NL") is Keyword.YES
    assert parse_keyword("Oui", "de-DE") is None
    assert parse_keyword("是不是明天？", "zh-CN") is None  # "是" alone, not as a question's start
    assert parse_keyword("Janine here", "de-DE") is None  # a whole word, not a prefix
    assert keyword_name("Baja", "es-ES") == "stop"
