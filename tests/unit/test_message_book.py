"""The committed message book is what the code says, and it reads as the rules require."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import messages as book  # noqa: E402

from nudges.domain import messages  # noqa: E402


@pytest.fixture(scope="module")
def rendered() -> str:
    return book.render()


def test_committed_message_book_is_what_the_code_renders(rendered):
    committed = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    assert committed == rendered, "docs/messages.md is stale: run `make messages` and commit it"


def test_the_book_covers_every_kind_in_both_locales(rendered):
    for kind in messages.KINDS:
        for locale in messages.LOCALES:
            assert f"### {kind}, {locale}," in rendered, (kind, locale)


def test_nobody_is_greeted_by_a_role_mailbox_or_an_address_and_no_company_is_the_company(rendered):
    assert "Dear Globex" not in rendered and "Hi Globex" not in rendered
    assert not re.search(r"Dear [a-z]+\.[a-z]+", rendered)  # no "Dear priya.r"

    def said(text: str) -> str:  # the messages themselves, not the book's notes
        return "\n".join(line for line in text.splitlines() if line.startswith("    "))

    assert "Room 4.02" not in said(rendered) and "room-402" not in said(rendered)
    before_outcomes = rendered.split("## 9.")[0]  # only a rejection reply or a follow-up goes to a contact
    assert "Globex Recruiting" not in said(before_outcomes) and "recruiting@" not in said(before_outcomes)
    assert "the company offer" not in rendered and "the the " not in rendered
    assert "keywords=Ben+Carter+the+company" not in rendered


def test_every_sms_in_the_book_fits_two_segments(rendered):
    for sms in re.findall(r"^SMS \((\d+)/(\d+) (GSM-7|UCS-2)\):", rendered, re.M):
        assert int(sms[0]) <= int(sms[1])
