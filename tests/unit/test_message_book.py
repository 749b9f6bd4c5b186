"""The committed message book (one file per locale) is what the code says, and it reads as the
rules require in every locale: every kind, nobody greeted by a mailbox, every SMS within two
segments with its advice intact."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import messages as book  # noqa: E402

from nudges.domain import messages, sms_encoding  # noqa: E402
from nudges.domain.locales import CODES  # noqa: E402

# The "don't connect yet" / "connect now" words of each locale's texts: the advice must survive fitting.
CONNECT_WORDS = {
    "en-GB": r"connect",
    "en-US": r"connect",
    "de-DE": r"vernetzen|Kontaktanfrage",
    "fr-FR": r"connexion|Connectez",
    "es-ES": r"conecte|contacto",
    "nl-NL": r"connect",
    "pt-BR": r"conecte|conexao",
    "it-IT": r"collegh|collegamento",
    "ja-JP": r"申請|つながり|LinkedIn",
    "zh-CN": r"联系",
}


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return book.books()


def _said(text: str) -> str:
    """The messages themselves, not the book's notes."""
    return "\n".join(line for line in text.splitlines() if line.startswith("    "))


def _texts(text: str) -> list[tuple[str, str, str]]:
    """(kind, the size line, the SMS) for every SMS in a book."""
    found = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        kind = section.split(",", 1)[0]
        for size, body in re.findall(r"^SMS \(([^)]*)\):\n\n((?:    .*\n?)+)", section, re.M):
            found.append((kind, size, "\n".join(line[4:] for line in body.rstrip("\n").splitlines())))
    return found


def test_committed_message_book_is_what_the_code_renders(files):
    for path, text in files.items():
        committed = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else None
        assert committed == text, f"{path} is stale: run `make messages` and commit it"
    assert sorted(p.name for p in (ROOT / "docs" / "messages").glob("*.md")) == sorted(f"{c}.md" for c in CODES)


@pytest.mark.parametrize("locale", CODES)
def test_the_book_covers_every_kind_in_every_locale(files, locale):
    text = files[f"docs/messages/{locale}.md"]
    for kind in (*messages.KINDS, "welcome"):
        assert f"### {kind}, {locale}," in text, (kind, locale)


@pytest.mark.parametrize("locale", CODES)
def test_nobody_is_greeted_by_a_role_mailbox_or_an_address(files, locale):
    text = files[f"docs/messages/{locale}.md"]
    said = _said(text)
    assert "Room 4.02" not in said and "room-402" not in said
    before_outcomes = _said(text.split("## 9.")[0])  # only a rejection reply or a follow-up goes to a contact
    assert "Globex Recruiting" not in before_outcomes and "recruiting@" not in before_outcomes
    assert not re.search(r"(Dear|Hallo|Bonjour|Hola|Beste|Olá|Gentile|Guten Tag) [a-z]+\.[a-z]+", said)
    assert "keywords=Ben+Carter+the+company" not in text


@pytest.mark.parametrize("locale", CODES)
def test_every_sms_fits_two_segments_with_its_advice(files, locale):
    texts = _texts(files[f"docs/messages/{locale}.md"])
    assert len(texts) >= 20
    for kind, size, sms in texts:
        counted = sms_encoding.count(sms)
        assert counted.segments <= 2, (locale, kind, sms)
        assert size.endswith(f"{counted.encoding}, {counted.segments} segment" + ("s" if counted.segments > 1 else ""))
        if kind in ("research_prompt", "thank_you", "connect", "follow_up"):
            assert re.search(CONNECT_WORDS[locale], sms, re.I), (locale, kind, sms)
        assert not sms.endswith((",", ";", ":")), (locale, kind, sms)  # never cut mid-sentence
    if BY_SCRIPT[locale] != "ucs2":  # Latin-script texts go in GSM-7 (a name in another script aside)
        assert sum(counted.encoding == "GSM-7" for counted in map(sms_encoding.count, (t for *_, t in texts))) >= 20


def test_the_index_reports_each_locales_segments(files):
    index = files["docs/messages.md"]
    for locale in CODES:
        row = next(line for line in index.splitlines() if line.startswith(f"| {locale} |"))
        texts = _texts(files[f"docs/messages/{locale}.md"])
        average = sum(sms_encoding.count(t).segments for *_, t in texts) / len(texts)
        assert f"| {average:.2f} | 2 |" in row or f"| {average:.2f} | 1 |" in row, row


BY_SCRIPT = {code: __import__("nudges.domain.locales", fromlist=["BY_CODE"]).BY_CODE[code].sms for code in CODES}
