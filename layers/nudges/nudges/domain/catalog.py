"""The words, per locale: gettext catalogs read with Babel. Pure lookup: a key in, a text out.

Every sentence the service says lives in ``nudges/locales/<locale>/LC_MESSAGES/messages.po``:
each entry's ``msgctxt`` is a stable key (``research_prompt.email``, ``phrase.and_others``),
its ``msgid`` the en-GB text and its ``msgstr`` that locale's; placeholders are ``{name}``
(python-brace-format); plurals carry ``msgid_plural``. A locale is a folder there; an unknown
locale reads the default's. ``tests/unit/test_catalogs.py`` proves every locale has every key,
with the same placeholders, translated.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING

from babel.messages.pofile import read_po

from nudges.domain.locales import CODES

if TYPE_CHECKING:
    from collections.abc import Callable

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LOCALE = "en-GB"


def _locales() -> tuple[str, ...]:
    """The locales with a catalog, in the registry's order (nudges.domain.locales; the default first)."""
    found = {p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file()}
    ordered = [code for code in CODES if code in found] + sorted(found - set(CODES))
    return (DEFAULT_LOCALE, *(locale for locale in ordered if locale != DEFAULT_LOCALE))


LOCALES: tuple[str, ...] = _locales()


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders in ``text``."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@dataclass(frozen=True)
class Entry:
    key: str
    source: str  # the msgid: the en-GB text
    texts: tuple[str, ...]  # the msgstr, or the plural forms


@dataclass(frozen=True)
class Catalog:
    locale: str
    entries: dict[str, Entry]
    plural_index: Callable[[int], int]

    def text(self, key: str, /, **values: object) -> str:
        """The entry's text with its placeholders filled (every one must be given)."""
        return self.raw(key).format(**values)

    def raw(self, key: str) -> str:
        return self.entries[key].texts[0]

    def plural(self, key: str, count: int | float, /, **values: object) -> str:
        """The plural form for ``count`` (``{count}`` is filled with it, as written)."""
        forms = self.entries[key].texts
        index = self.plural_index(int(count)) if float(count).is_integer() else len(forms) - 1
        return forms[min(index, len(forms) - 1)].format(count=f"{count:g}", **values)


@cache
def catalog(locale: str) -> Catalog:
    """The catalog of ``locale`` (the default locale's when there is none for it)."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        read = read_po(po, locale=locale.replace("-", "_"))
    entries: dict[str, Entry] = {}
    for message in read:
        if not message.id or message.context is None:
            continue  # the header
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        entries[message.context] = Entry(
            message.context, ids[0], tuple(s or i for s, i in zip(strings, _pad(ids, len(strings)), strict=True))
        )
    return Catalog(locale, entries, gettext.c2py(read.plural_expr))


def _pad(ids: tuple[str, ...] | list[str], count: int) -> list[str]:
    """The msgid for each plural form (the last msgid_plural for the forms past it)."""
    return [ids[min(i, len(ids) - 1)] for i in range(count)]


def text(locale: str, key: str, /, **values: object) -> str:
    return catalog(locale).text(key, **values)
