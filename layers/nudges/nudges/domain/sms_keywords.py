"""What an inbound text asks for: STOP and its synonyms, START, HELP, YES. Pure: text in, keyword out.

Carriers and AWS treat the first word of a reply as its keyword, whatever its case and whatever
follows it: "Stop.", "stop please", "STOP!!", " Stop " all opt out. A message that starts with
anything else is no keyword (it is kept, and nobody is messaged).

Keywords are understood in English (carriers require the English ones to work everywhere) and in
the candidate's language, its words listed in ``nudges.domain.locales`` (STOPP, ARRÊT, BAJA,
配信停止, 退订...). Opt-out words are understood in every supported language whoever sends them:
an opt-out must never be missed, and none of them means anything else as a first word.
Japanese and Chinese words are matched at the start of the text (those scripts put no space
after a word: "配信停止してください").
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from nudges.domain.locales import LOCALES, resolve

if TYPE_CHECKING:
    from nudges.domain.locales import Locale


class Keyword(StrEnum):
    STOP = "stop"  # opt out of texts (email continues)
    START = "start"  # opt back in
    HELP = "help"  # what the service is and how to stop
    YES = "yes"  # consent to texts (acted on where SMS consent is kept)


# The usual synonyms: AWS End User Messaging's required opt-out keywords (ARRET, CANCEL, END,
# OPT-OUT, OPTOUT, QUIT, REMOVE, STOP, TD, UNSUBSCRIBE) and the US carriers' (STOPALL, REVOKE).
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "REMOVE", "TD", "ARRET"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "OPTIN", "RESUME"})
HELP_WORDS = frozenset({"HELP", "INFO"})
YES_WORDS = frozenset({"YES", "Y"})
_WORDS = {
    **dict.fromkeys(OPT_OUT_WORDS, Keyword.STOP),
    **dict.fromkeys(OPT_IN_WORDS, Keyword.START),
    **dict.fromkeys(HELP_WORDS, Keyword.HELP),
    **dict.fromkeys(YES_WORDS, Keyword.YES),
}
# Two-word spellings of one keyword: "opt out", "opt-out", "stop all", "un-stop".
_JOINED = {("OPT", "OUT"): "OPTOUT", ("OPT", "IN"): "OPTIN", ("STOP", "ALL"): "STOPALL", ("UN", "STOP"): "UNSTOP"}
_WORD = re.compile(r"[A-Z]+")


def _letters(text: str) -> str:
    """Upper case, accents and full-width forms folded ("Arrêt" -> "ARRET", "ＳＴＯＰ" -> "STOP")."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def _locale_words(locale: Locale) -> dict[str, Keyword]:
    return {
        **dict.fromkeys(map(_letters, locale.opt_in), Keyword.START),
        **dict.fromkeys(map(_letters, locale.help), Keyword.HELP),
        **dict.fromkeys(map(_letters, locale.yes), Keyword.YES),
        **dict.fromkeys(map(_letters, locale.opt_out), Keyword.STOP),
    }


@cache
def words_for(locale: str | None) -> dict[str, Keyword]:
    """Every word understood from a candidate of ``locale`` (folded: upper case, no accents):
    English, that locale's own, and every language's opt-out words."""
    words = dict(_WORDS)
    for other in LOCALES:
        words.update(dict.fromkeys(map(_letters, other.opt_out), Keyword.STOP))
    if locale:
        words.update(_locale_words(resolve(locale)))
    return words


@cache
def _unspaced(locale: str | None) -> tuple[tuple[str, Keyword], ...]:
    """The words of scripts written without spaces, longest first (matched as a prefix)."""
    found = [(word, keyword) for word, keyword in words_for(locale).items() if not word.isascii()]
    return tuple(sorted(found, key=lambda item: -len(item[0])))


def parse_keyword(body: str, locale: str | None = None) -> Keyword | None:
    """The keyword a reply starts with, or None: any case, with punctuation before or after it and
    any words after it ("Stop.", "stop please", "(STOP)", "Arrêt", "配信停止してください"), in
    English or ``locale``'s words; a word before it makes it no keyword ("please stop" is a
    message to a person, as carriers read it too)."""
    text = _letters(body or "")[:64]
    lead = 0
    while lead < len(text) and not text[lead].isalnum():
        lead += 1
    text = text[lead:]
    for word, keyword in _unspaced(locale):
        after = text[len(word) : len(word) + 1]
        # A one-character word ("是") only alone or before punctuation: "是不是..." is a question.
        if text.startswith(word) and (len(word) > 1 or not after.isalnum()):
            return keyword
    start = _WORD.match(text)
    if start is None:
        return None  # no word at all, or one that starts with a digit
    words = _WORD.findall(text)
    first = words[0]
    # Two words meant as one only when written together ("opt out", "opt-out", "stop all").
    if len(words) > 1 and (first, words[1]) in _JOINED and re.match(rf"{first}[\s\-_.]*{words[1]}(?![A-Z])", text):
        first = _JOINED[(first, words[1])]
    return words_for(locale).get(first)


def keyword_name(body: str, locale: str | None = None) -> str:
    """The keyword for the log ("stop", "help"...), or "none": never the message itself."""
    keyword = parse_keyword(body, locale)
    return keyword.value if keyword else "none"
