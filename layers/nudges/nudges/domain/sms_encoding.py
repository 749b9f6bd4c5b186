"""How a text message is encoded and billed, per script, as AWS End User Messaging SMS counts it.

A text is sent in GSM-7 when every character is in the GSM 03.38 default alphabet (or its
extension table, whose characters take two septets), else in UCS-2: then one character outside
GSM-7 ("ç", "ã", "ê", "ó", a curly quote, a CJK character) turns the *whole* text into UCS-2.
One segment holds 160 GSM-7 septets or 70 UCS-2 code units; a longer text is split into segments
of 153 or 67 (6 bytes of each carry the concatenation header), each billed as one message. An
escaped GSM-7 character is never split across two segments, nor is a UCS-2 surrogate pair.

:func:`for_sms` writes a text the way its locale's SMS is sent (``nudges.domain.locales``):
typographic spaces, quotes, dashes and ellipses become their plain forms in every locale (CLDR
puts a narrow no-break space in "2:00 PM"; one such character would double the price of an
English text); in the Latin-script locales whose readers accept unaccented texts
(``transliterate``), a letter outside GSM-7 loses its accent ("não" -> "nao", "Arrêt" -> "Arret")
while the accents GSM-7 has ("é", "è", "à", "ü", "ñ") stay; Japanese and Chinese stay UCS-2.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from nudges.domain.locales import resolve

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM7_SINGLE, GSM7_SEGMENT = 160, 153
UCS2_SINGLE, UCS2_SEGMENT = 70, 67
MAX_SEGMENTS = SMS_SEGMENTS = 2
# What two segments hold: past these a text is split into more parts, costs more, and may arrive
# out of order (a concatenated segment carries a 6-byte header).
GSM7_LIMIT = GSM7_SEGMENT * SMS_SEGMENTS
UCS2_LIMIT = UCS2_SEGMENT * SMS_SEGMENTS

# Plain forms of typographic characters, for every locale's SMS.
_PLAIN = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space (CLDR: "2:00 PM", French "14 h 00")
        "\u2009": " ",
        "\u2007": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u2026": "...",
    }
)
# Letters NFKD does not take apart.
_LATIN = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe", "þ": "th", "Þ": "Th"})

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsCount:
    encoding: Encoding
    units: int  # GSM-7 septets or UCS-2 code units
    segments: int

    @property
    def fits(self) -> bool:
        return self.segments <= MAX_SEGMENTS


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def encoding(text: str) -> Encoding:
    """The encoding a phone sends ``text`` in: "GSM-7" or "UCS-2"."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def sms_limit(text: str) -> int:
    """Units that fit two segments: GSM-7 when every character is in it, else UCS-2."""
    return GSM7_LIMIT if is_gsm7(text) else UCS2_LIMIT


def sms_length(text: str) -> int:
    """Length in GSM-7 septets (extended characters take two) or UCS-2 code units."""
    return count(text).units


def sms_fits(text: str, segments: int = MAX_SEGMENTS) -> bool:
    """Whether ``text`` is billed as at most ``segments`` segments (one: 160 GSM-7 septets or 70
    UCS-2 code units; two by default)."""
    return count(text).segments <= segments


def sms_segments(text: str) -> int:
    """How many segments ``text`` is sent as (what the text costs)."""
    return count(text).segments


def count(text: str) -> SmsCount:
    """How AWS encodes ``text`` and how many segments it bills."""
    if is_gsm7(text):
        septets = [2 if c in GSM7_EXTENDED else 1 for c in text]
        return SmsCount("GSM-7", sum(septets), _segments(septets, GSM7_SINGLE, GSM7_SEGMENT))
    units = [len(c.encode("utf-16-le")) // 2 for c in text]
    return SmsCount("UCS-2", sum(units), _segments(units, UCS2_SINGLE, UCS2_SEGMENT))


def _segments(widths: list[int], single: int, per_segment: int) -> int:
    total = sum(widths)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for width in widths:  # a character is never split between two segments
        if used + width > per_segment:
            segments, used = segments + 1, 0
        used += width
    return segments


def fits(text: str, segments: int = MAX_SEGMENTS) -> bool:
    return count(text).segments <= segments


def transliterate(text: str) -> str | None:
    """``text`` in GSM-7 letters ("Zoë Łukasiewicz" -> "Zoe Lukasiewicz", "não" -> "nao"), keeping
    the accented letters GSM-7 has; None when a letter has no Latin form (王伟)."""
    out = []
    for char in text.translate(_PLAIN).translate(_LATIN):
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if not base or not is_gsm7(base):
            return None
        out.append(base)
    return "".join(out)


def for_sms(text: str, locale: str) -> str:
    """``text`` as the locale's SMS writes it (see the module's docstring)."""
    plain = text.translate(_PLAIN)
    if resolve(locale).sms == "transliterate" and not is_gsm7(plain):
        return transliterate(plain) or plain
    return plain


def limit(text: str, segments: int = MAX_SEGMENTS) -> int:
    """How many units ``text``'s encoding fits in ``segments`` segments."""
    if is_gsm7(text):
        return GSM7_SINGLE if segments == 1 else GSM7_SEGMENT * segments
    return UCS2_SINGLE if segments == 1 else UCS2_SEGMENT * segments


def cut_at_word(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` that ends at a word (never mid-word); for
    scripts written without spaces (Japanese, Chinese), at a character after punctuation when
    there is one, else at a character."""
    if len(text) <= units:
        return text
    head = text[: units + 1]
    space = head.rfind(" ")
    if space > 0:
        return head[:space].rstrip()
    for mark in "。、，！？；":
        at = head[:units].rfind(mark)
        if at > 0:
            return head[: at + 1]
    return text[:units]
