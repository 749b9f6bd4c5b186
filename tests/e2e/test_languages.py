"""Languages on the local stack: GET /locales, a registration's locale checked against it, the
DefaultLocale (English turning American in a US zone), and the drafts' own language."""

from __future__ import annotations

import pytest

from nudges.domain.locales import CODES

SUPPORTED = "en-GB, en-US, de-DE, fr-FR, es-ES, nl-NL, pt-BR, it-IT, ja-JP or zh-CN"


def test_get_locales_lists_every_language_in_its_own_name(client) -> None:
    reply = client.request("GET", "/locales")
    assert reply.status == 200, reply
    assert reply.body["default"] == "en-GB"
    assert [x["code"] for x in reply.body["locales"]] == list(CODES)
    names = {x["code"]: x["name"] for x in reply.body["locales"]}
    assert (names["de-DE"], names["fr-FR"], names["ja-JP"], names["pt-BR"]) == (
        "Deutsch",
        "Français",
        "日本語",
        "Português (Brasil)",
    )


@pytest.mark.parametrize("locale", ["sv-SE", "de", "klingon", "EN_gb_x"])
def test_an_unsupported_locale_is_refused_naming_the_supported_ones(client, unique, locale) -> None:
    email = f"refused.{unique}.{locale.lower()}@example.org"
    reply = client.register(email=email, timezone="Europe/Berlin", channels=["email"], locale=locale)
    assert reply.status == 400, reply
    assert reply.body["field"] == "locale"
    assert SUPPORTED in reply.body["message"]
    assert client.request("GET", f"/candidates?email={email}").status == 404  # nothing stored


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("America/Chicago", "en-US"), ("America/Sao_Paulo", "en-GB"), ("Europe/Paris", "en-GB")],
)
def test_without_a_locale_the_default_english_follows_a_us_zone(client, unique, zone, expected) -> None:
    reply = client.register(email=f"default.{unique}@example.org", timezone=zone, channels=["email"])
    assert reply.status == 201, reply
    assert (reply.body["locale"], reply.body["draft_locale"]) == (expected, expected)


def test_a_locale_is_spelt_as_the_registry_spells_it_and_drafts_may_differ(client, unique) -> None:
    reply = client.register(
        email=f"drafts.{unique}@example.org",
        timezone="Asia/Tokyo",
        channels=["email"],
        locale="ja-jp",
        draft_locale="en-GB",
    )
    assert reply.status == 201, reply
    assert (reply.body["locale"], reply.body["draft_locale"]) == ("ja-JP", "en-GB")
    candidate_id = reply.body["candidate_id"]
    changed = client.request("PATCH", f"/candidates/{candidate_id}", {"draft_locale": "de-DE"})
    assert (changed.status, changed.body["locale"], changed.body["draft_locale"]) == (200, "ja-JP", "de-DE")
    refused = client.request("PATCH", f"/candidates/{candidate_id}", {"draft_locale": "xx-XX"})
    assert (refused.status, refused.body["field"]) == (400, "draft_locale")
    assert SUPPORTED in refused.body["message"]
    again = client.request("GET", f"/candidates/{candidate_id}")
    assert again.body["draft_locale"] == "de-DE"
