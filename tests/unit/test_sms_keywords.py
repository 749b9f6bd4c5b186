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
