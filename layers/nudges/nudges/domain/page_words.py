"""The words of the candidate's self-service pages (join, verify, add or edit an interview, the
outcome page, the errors they show) and of the sign-up mails, per page, per locale.

Words are data: each page's strings are the catalogs' ``page.<page>.<string>`` entries
(``locales/<locale>/LC_MESSAGES/messages.po``, every locale translated; tests/unit/test_catalogs.py
checks them). Placeholders are ``{name}`` (``str.format``); every page takes the locale.
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from nudges.domain.catalog import catalog

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT = "en-GB"


@cache
def strings(page: str, locale: str | None = None) -> Mapping[str, str]:
    """The strings of one page in ``locale``: the catalog's ``page.<page>.<string>`` entries."""
    prefix = f"page.{page}."
    entries = catalog(locale or DEFAULT).entries
    return MappingProxyType({key[len(prefix) :]: e.texts[0] for key, e in entries.items() if key.startswith(prefix)})


def say(page: str, key: str, locale: str | None = None, **values: object) -> str:
    """One string of a page, its ``{placeholders}`` filled."""
    text = strings(page, locale)[key]
    return text.format(**values) if values else text


def mail_html(text: str) -> str:
    """The HTML part of a short mail (the sign-up ones): the text escaped, paragraphs kept, links clickable."""
    import html
    import re

    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = html.escape(block).replace("\n", "<br>\n")
        paragraphs.append("<p>" + re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped) + "</p>")
    body = "\n".join(paragraphs)
    return f'<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'
