"""What an inbound text asks for: STOP and its synonyms, START, HELP, YES. Pure: text in, keyword out.

Carriers and AWS treat the first word of a reply as its keyword, whatever its case and whatever
follows it: "Stop.", "stop please", "STOP!!", " Stop " all opt out. A message that starts with
anything else is no keyword (it is kept, and nobody is messaged).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


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


def parse_keyword(body: str) -> Keyword | None:
    """The keyword a reply starts with, or None: any case, with punctuation before or after it and
    any words after it ("Stop.", "stop please", "(STOP)"); a word before it makes it no keyword
    ("please stop" is a message to a person, as carriers read it too)."""
    text = _letters(body or "")[:64]
    start = _WORD.search(text)
    if start is None or any(c.isalnum() for c in text[: start.start()]):
        return None  # no word at all, or one that starts with a digit
    text = text[start.start() :]
    words = _WORD.findall(text)
    first = words[0]
    # Two words meant as one only when written together ("opt out", "opt-out", "stop all").
    if len(words) > 1 and (first, words[1]) in _JOINED and re.match(rf"{first}[\s\-_.]*{words[1]}(?![A-Z])", text):
        first = _JOINED[(first, words[1])]
    return _WORDS.get(first)


def keyword_name(body: str) -> str:
    """The keyword for the log ("stop", "help"...), or "none": never the message itself."""
    keyword = parse_keyword(body)
    return keyword.value if keyword else "none"
