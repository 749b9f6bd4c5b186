"""What an SMS costs: its encoding (GSM-7 when every character is in it, else UCS-2), its length in
that encoding and whether it fits two segments; names made GSM-7 where they can be. Pure.

Two segments: past these a text is split into more parts, costs more, and may arrive out of
order. A concatenated segment carries a 6-byte header: 153 GSM-7 septets or 67 UCS-2 characters.
"""

from __future__ import annotations

import unicodedata

GSM7_SEGMENT, UCS2_SEGMENT = 153, 67
SMS_SEGMENTS = 2
GSM7_LIMIT = GSM7_SEGMENT * SMS_SEGMENTS
UCS2_LIMIT = UCS2_SEGMENT * SMS_SEGMENTS
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")
# Letters NFKD does not take apart.
_LATIN = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe", "þ": "th", "Þ": "Th"})


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7 or c in _GSM7_EXTENDED for c in text)


def encoding(text: str) -> str:
    """The encoding a phone sends ``text`` in: "GSM-7" or "UCS-2"."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def sms_limit(text: str) -> int:
    """Characters that fit two segments: GSM-7 when every character is in it, else UCS-2."""
    return GSM7_LIMIT if is_gsm7(text) else UCS2_LIMIT


def sms_length(text: str) -> int:
    """Length in GSM-7 septets (extended characters take two) or UCS-2 code units."""
    if is_gsm7(text):
        return sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def sms_fits(text: str, segments: int = 2) -> bool:
    """Whether ``text`` fits ``segments`` segments (one: 160 GSM-7 or 70 UCS-2 characters)."""
    if segments == 1:
        return sms_length(text) <= (160 if is_gsm7(text) else 70)
    return sms_length(text) <= sms_limit(text)


def sms_segments(text: str) -> int:
    """How many segments ``text`` is sent as (what the text costs)."""
    length = sms_length(text)
    single, part = (160, GSM7_SEGMENT) if is_gsm7(text) else (70, UCS2_SEGMENT)
    return 1 if length <= single else -(-length // part)


def transliterate(name: str) -> str | None:
    """``name`` in GSM-7 letters ("Zoë Łukasiewicz" -> "Zoe Lukasiewicz"), or None if it has
    letters that have no Latin form here (王伟)."""
    out = []
    for char in name.translate(_LATIN):
        if char in _GSM7:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if not base or not is_gsm7(base):
            return None
        out.append(base)
    return "".join(out)
