"""SMS encoding and segments as AWS bills them; each locale's SMS written in its script."""

from __future__ import annotations

import pytest

from nudges.domain.sms_encoding import count, cut_at_word, fits, for_sms, transliterate


def test_gsm7_one_and_two_segments() -> None:
    assert count("a" * 160) == count("a" * 160)
    assert (count("a" * 160).encoding, count("a" * 160).segments) == ("GSM-7", 1)
    assert count("a" * 161).segments == 2
    assert count("a" * 306).segments == 2
    assert count("a" * 307).segments == 3
    assert count("").segments == 0


def test_extended_characters_take_two_septets_and_are_never_split() -> None:
    assert count("€" * 80).units == 160
    assert count("€" * 80).segments == 1
    assert count("€" * 81).segments == 2
    # 152 septets, then an escaped euro: it cannot straddle the segment boundary.
    assert count("a" * 152 + "€" + "a" * 152).segments == 3  # 306 septets, yet three
    assert count("a" * 151 + "€" + "a" * 151).segments == 2


def test_one_letter_outside_gsm7_makes_the_whole_text_ucs2() -> None:
    text = "a" * 100 + "ç"
    assert count(text).encoding == "UCS-2"
    assert count(text).segments == 2  # 101 units: 67 + 34
    assert count("a" * 70).segments == 1
    assert count("ç" * 70).segments == 1
    assert count("ç" * 71).segments == 2
    assert count("ç" * 134).segments == 2
    assert count("ç" * 135).segments == 3


def test_ucs2_surrogate_pairs_count_two_and_stay_whole() -> None:
    assert count("😀").units == 2
    assert count("😀" * 35).segments == 1
    assert count("a" * 66 + "😀" + "a" * 60).segments == 2  # the pair moves to the next segment whole


def test_accents_gsm7_has_stay() -> None:
    assert count("Réponse à Müller, señor").encoding == "GSM-7"


@pytest.mark.parametrize(
    ("locale", "text", "sms"),
    [
        ("pt-BR", "Não envie convites de conexão", "Nao envie convites de conexao"),
        ("fr-FR", "Répondez ARRÊT pour ne plus recevoir", "Répondez ARRET pour ne plus recevoir"),
        ("es-ES", "Investigue quién le entrevistará", "Investigue quién le entrevistara"),
        ("it-IT", "Ricerchi chi la intervisterà", "Ricerchi chi la intervisterà"),
        ("de-DE", "„Danke“ schreiben – nicht vernetzen", '"Danke" schreiben - nicht vernetzen'),
        ("nl-NL", "Geïnteresseerd – reageer", "Geinteresseerd - reageer"),
        ("en-US", "Thursday at 2:00\u202fPM", "Thursday at 2:00 PM"),
        ("en-GB", "Don’t connect yet…", "Don't connect yet..."),
    ],
)
def test_latin_locales_are_sent_in_gsm7(locale: str, text: str, sms: str) -> None:
    assert for_sms(text, locale) == sms
    assert count(for_sms(text, locale)).encoding == "GSM-7"


@pytest.mark.parametrize("locale", ["ja-JP", "zh-CN"])
def test_japanese_and_chinese_stay_ucs2(locale: str) -> None:
    text = "面接の前に面接官について調べましょう" if locale == "ja-JP" else "面试前先了解面试官"
    assert for_sms(text, locale) == text
    assert count(text).encoding == "UCS-2"


def test_english_keeps_a_name_it_cannot_write_and_says_so_in_ucs2() -> None:
    # English is GSM-7 by its words; a name outside it is the caller's choice (transliterated or left out).
    assert transliterate("Zoë Łukasiewicz") == "Zoe Lukasiewicz"
    assert transliterate("王伟") is None


def test_cut_at_word_never_cuts_mid_word() -> None:
    text = "Research the people who will interview you tomorrow"
    cut = cut_at_word(text, 20)
    assert cut == "Research the people"
    assert text.startswith(cut)
    assert cut_at_word("面接の前に、面接官について調べましょう", 8) == "面接の前に、"
    assert fits(cut)
