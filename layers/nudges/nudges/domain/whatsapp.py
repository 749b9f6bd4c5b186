"""WhatsApp's rules for what the service sends: the operator's approved templates (one per kind
and locale, ``nudges/whatsapp_templates/<locale>/<kind>.json``, in the form submitted to Meta),
the values that fill them, and Meta's limits on a value.

A business-initiated WhatsApp message must be an approved template; each of ours frames the
kind's short text (the advice an SMS would carry) with fixed words: ``first_name`` and
``advice`` are its variables. Free text goes only as an answer within the 24-hour window the
candidate's own message opens (HELP, STOP, START).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from nudges.domain.rendering import Words

if TYPE_CHECKING:
    from nudges.domain.messages import Branding

TEMPLATES = Path(__file__).resolve().parents[1] / "whatsapp_templates"
FALLBACK_LOCALE = "en-GB"
# The service's locales -> Meta's template language codes.
META_LANGUAGES = {
    "en-GB": "en_GB",
    "en-US": "en_US",
    "de-DE": "de",
    "fr-FR": "fr",
    "es-ES": "es_ES",
    "nl-NL": "nl",
    "pt-BR": "pt_BR",
    "it-IT": "it",
    "ja-JP": "ja",
    "zh-CN": "zh_CN",
}
# Meta refuses a value with a newline or a tab, or more than four spaces in a row (132018), and
# a body over 1,024 characters once filled in.
MAX_BODY = 1024
_VARIABLE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class WhatsAppTemplate:
    name: str
    language: str  # Meta's code (en_GB)
    locale: str  # the template file's locale (the candidate's, or the fallback)
    category: str
    body: str
    variables: tuple[str, ...]

    def render(self, values: dict[str, str]) -> str:
        """The body as the candidate reads it (what Meta delivers)."""
        return _VARIABLE.sub(lambda m: values[m.group(1)], self.body)


@cache
def template(kind: str, locale: str) -> WhatsAppTemplate | None:
    """The approved template for ``kind`` in the candidate's locale (else the fallback's), or
    None when the repository keeps none for that kind."""
    for chosen in (locale, FALLBACK_LOCALE):
        path = TEMPLATES / chosen / f"{kind}.json"
        if path.exists():
            definition = json.loads(path.read_text(encoding="utf-8"))
            body = next(c for c in definition["components"] if c["type"] == "BODY")
            return WhatsAppTemplate(
                name=definition["name"],
                language=definition["language"],
                locale=chosen,
                category=definition["category"],
                body=body["text"],
                variables=tuple(_VARIABLE.findall(body["text"])),
            )
    return None


def parameter(value: str) -> str:
    """A value as Meta takes it: one line, no tab, no run of more than four spaces."""
    return re.sub(r" {5,}", "    ", re.sub(r"[\r\n\t]+", " ", value)).strip()


def template_values(found: WhatsAppTemplate, first_name: str, advice: str) -> dict[str, str]:
    """The values of the template's variables; the advice shortened at a word if the filled-in
    body would pass Meta's limit."""
    values = {"first_name": parameter(first_name) or "there", "advice": parameter(advice)}
    room = MAX_BODY - len(found.render({**values, "advice": ""}))
    if len(values["advice"]) > room:
        cut = values["advice"][: max(room - 1, 0)].rsplit(" ", 1)[0]
        values["advice"] = cut + "…"
    return {name: values[name] for name in found.variables}


def meta_language(locale: str) -> str:
    return META_LANGUAGES.get(locale, META_LANGUAGES[FALLBACK_LOCALE])


def reply(keyword: str, locale: str, branding: Branding) -> str:
    """The free-text answer to STOP, START or HELP on WhatsApp (``whatsapp_reply.<keyword>``)."""
    return Words(locale).fill("whatsapp_reply", keyword, {"operator_name": branding.operator_name})
