"""The languages the service speaks: one record per locale, read by every list, check and page.

Adding a locale is a record here and its catalog (``nudges/locales/<code>/LC_MESSAGES/messages.po``);
nothing else names the codes. Each record says:

- ``code``: the BCP 47 tag the API, the CLI and the catalogs use (``de-DE``);
- ``name``: the language's own name for itself, as a language switcher shows it (CLDR's, with the
  country where two locales share a language);
- ``sms``: how its texts are encoded. ``gsm7`` (English: its words fit GSM-7 as written);
  ``transliterate`` (Latin-script languages whose readers accept unaccented texts, as banks and
  carriers there send them: a letter outside GSM-7, "ç", "ã", "ê", "ó", is written without its
  accent in the SMS alone, so a text costs GSM-7 segments of 153, not UCS-2 segments of 67);
  ``ucs2`` (Japanese and Chinese: UCS-2, 67 characters a segment, words chosen to fit);
- the SMS keywords understood besides the English ones (``opt_out``, ``opt_in``, ``help``,
  ``yes``), each a reply's first word, any case, accents ignored. docs/languages.md lists them.

Pure data; CLDR (through Babel) does the dates, times, zone names, lists and plurals
(``nudges.domain.formatting``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SmsScript = Literal["gsm7", "transliterate", "ucs2"]


@dataclass(frozen=True)
class Locale:
    code: str
    name: str
    english_name: str
    sms: SmsScript
    opt_out: tuple[str, ...] = ()
    opt_in: tuple[str, ...] = ()
    help: tuple[str, ...] = ()
    yes: tuple[str, ...] = ()
    # A time pattern where a careers adviser there writes the time otherwise than CLDR's default
    # (French: "14 h 00", as the Imprimerie nationale and French employers write it).
    time_pattern: str | None = None
    # How a greeting names a person: by first name ("Dear Jane,", "Beste Jane,"), or by full name
    # where the form of address (Frau, Herr, Madame...) is not known and the language then uses
    # the whole name ("Guten Tag Jane Doe,", "Bonjour Jane Doe,", "Jane Doe様").
    address_by: Literal["first", "full"] = "first"
    # Said after a person's name when telling the candidate about them (Japanese さん).
    name_suffix: str = ""

    @property
    def language(self) -> str:
        return self.code.split("-")[0]

    @property
    def babel(self) -> str:
        """Babel's (CLDR's) identifier: ``de_DE``."""
        return self.code.replace("-", "_")


LOCALES: tuple[Locale, ...] = (
    Locale("en-GB", "English (UK)", "English (UK)", "gsm7"),
    Locale("en-US", "English (US)", "English (US)", "gsm7"),
    Locale(
        "de-DE",
        "Deutsch",
        "German",
        "transliterate",
        opt_out=("STOPP", "ABMELDEN", "ABBESTELLEN", "ENDE"),
        opt_in=("ANMELDEN",),
        help=("HILFE",),
        yes=("JA",),
        address_by="full",
    ),
    Locale(
        "fr-FR",
        "Français",
        "French",
        "transliterate",
        opt_out=("ARRÊT", "ARRET", "DÉSABONNER", "DESINSCRIPTION", "DÉSINSCRIRE"),
        opt_in=("REPRENDRE", "DÉBUT"),
        help=("AIDE",),
        yes=("OUI",),
        time_pattern="HH 'h' mm",
        address_by="full",
    ),
    Locale(
        "es-ES",
        "Español",
        "Spanish",
        "transliterate",
        opt_out=("BAJA", "PARAR", "CANCELAR"),
        opt_in=("ALTA", "REANUDAR"),
        help=("AYUDA",),
        yes=("SÍ", "SI"),
        address_by="full",
    ),
    Locale(
        "nl-NL",
        "Nederlands",
        "Dutch",
        "transliterate",
        opt_out=("AFMELDEN", "UITSCHRIJVEN", "STOPPEN"),
        opt_in=("AANMELDEN",),
        help=("HULP",),
        yes=("JA",),
    ),
    Locale(
        "pt-BR",
        "Português (Brasil)",
        "Portuguese (Brazil)",
        "transliterate",
        opt_out=("PARAR", "SAIR", "CANCELAR", "DESCADASTRAR"),
        opt_in=("VOLTAR", "RETOMAR"),
        help=("AJUDA",),
        yes=("SIM",),
    ),
    Locale(
        "it-IT",
        "Italiano",
        "Italian",
        "transliterate",
        opt_out=("ANNULLA", "BASTA", "DISISCRIVI", "CANCELLA"),
        opt_in=("RIPRENDI", "ATTIVA"),
        help=("AIUTO",),
        yes=("SÌ", "SI"),
        address_by="full",
    ),
    Locale(
        "ja-JP",
        "日本語",
        "Japanese",
        "ucs2",
        opt_out=("配信停止", "停止", "ストップ", "解除"),
        opt_in=("再開",),
        help=("ヘルプ",),
        yes=("はい",),
        address_by="full",
        name_suffix="さん",
    ),
    Locale(
        "zh-CN",
        "中文（简体）",
        "Chinese (Simplified)",
        "ucs2",
        opt_out=("退订", "TD", "取消订阅", "停止"),
        opt_in=("订阅", "恢复"),
        help=("帮助",),
        yes=("是", "是的", "同意", "好的"),
        address_by="full",
    ),
)

BY_CODE: dict[str, Locale] = {locale.code: locale for locale in LOCALES}
CODES: tuple[str, ...] = tuple(BY_CODE)
DEFAULT_LOCALE = "en-GB"


class UnsupportedLocale(ValueError):
    """A locale the service does not speak; its message names the supported ones in plain words."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"{code!r} is not a supported language; use one of {supported_words()}")


def supported_words() -> str:
    """The supported codes as a sentence ends them: "en-GB, en-US, ... or zh-CN"."""
    return ", ".join(CODES[:-1]) + " or " + CODES[-1]


def get(code: str) -> Locale:
    """The locale with this code; :class:`UnsupportedLocale` for any other (its case as written:
    ``de-de`` is accepted as ``de-DE``)."""
    found = BY_CODE.get(canonical(code) or "")
    if found is None:
        raise UnsupportedLocale(code)
    return found


def canonical(code: str) -> str | None:
    """``code`` spelt as the registry spells it (``de_de``, ``DE-de`` -> ``de-DE``), or None when it
    is no supported locale."""
    if not isinstance(code, str):
        return None
    parts = code.strip().replace("_", "-").split("-")
    if len(parts) != 2:
        return None
    spelt = f"{parts[0].lower()}-{parts[1].upper()}"
    return spelt if spelt in BY_CODE else None


def resolve(code: str | None) -> Locale:
    """The locale a stored value names, the default for one the registry no longer has (never
    raises: what is stored was valid when it was written)."""
    found = BY_CODE.get(canonical(code) or "") if code else None
    return found or BY_CODE[DEFAULT_LOCALE]


def registration_locale(default_locale: str, zone_territory: str | None) -> str:
    """A new candidate's locale when neither they nor their sign-up page chose one: the stack's
    ``DefaultLocale``; where that is English, a time zone in the United States gives US English."""
    default = resolve(default_locale)
    if default.language == "en" and zone_territory == "US":
        return "en-US"
    return default.code


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The supported locale an ``Accept-Language`` header prefers (RFC 9110 weights; a bare
    language, ``de``, takes its locale here; ``en`` takes ``default`` when that is English, else
    en-GB; ``en-AU`` the nearest English), else ``default``."""
    ranges: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranges.append((-weight, index, tag.strip()))
    for _, _, tag in sorted(ranges):
        found = _match(tag, default)
        if found:
            return found
    return resolve(default).code


def _match(tag: str, default: str) -> str | None:
    exact = canonical(tag)
    if exact:
        return exact
    language = tag.replace("_", "-").split("-")[0].lower()
    if language == "*":
        return None
    fallback = resolve(default)
    if fallback.language == language:
        return fallback.code
    if language == "en" and tag.replace("_", "-").upper().endswith(("-US", "-PR", "-UM", "-VI", "-AS", "-GU")):
        return "en-US"
    for locale in LOCALES:
        if locale.language == language:
            return locale.code
    return None
