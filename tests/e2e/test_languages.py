"""Languages on the local stack: GET /locales, a registration's locale checked against it, the
DefaultLocale (English turning American in a US zone), the drafts' own language; and a German, a
Japanese and a Brazilian candidate from registration to the connect nudge, every message, a
keyword and the preferences page (headless Chromium) in their language."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from local_stack import browser
from nudges.domain import sms_encoding
from nudges.domain.locales import CODES

ROOT = Path(__file__).resolve().parents[2]

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


# ---------------------------------------------------------------- three candidates, three languages
# Each lives where the language is at home; the interview is on a Thursday at 14:00 their time.
# What each message must say is written out here as that language writes it (not read back from
# the catalogs): the date, the time and the zone, the greeting, the advice, the keyword's answer.
JOURNEYS = {
    "de-DE": {
        "zone": "Europe/Berlin",
        "phone": "+4915112345678",
        "name": "Anna Schmidt",
        "year": 2032,
        "when": "am Donnerstag, 16. Dezember um 14:00 (Mitteleuropäische Zeit)",
        "research": [
            "Vorbereitung auf Ihr Vorstellungsgespräch bei Acme Robotics",
            "Bitte senden Sie noch keine Kontaktanfragen",
        ],
        "research_sms": ["Jane Doe", "Noch nicht vernetzen", "14:00"],  # the day and time stay (issue 21)
        "thank_you": ["Guten Tag Jane Doe,", "Betreff: Vielen Dank für das Gespräch", "Warten Sie mit LinkedIn"],
        "connect": ["Herzlichen Glückwunsch zum Angebot von Acme Robotics!", "auf LinkedIn"],
        "stop": ("Stopp", "Sie erhalten keine SMS mehr von uns"),
        "page": ("Ihre Interview Nudges", "So erreichen wir Sie", "Speichern"),
    },
    "ja-JP": {
        "zone": "Asia/Tokyo",
        "phone": "+819012345678",
        "name": "佐藤 花子",
        "year": 2033,
        "when": "12月15日(木) 14:00（日本時間）",
        "research": ["Acme Roboticsでの面接の準備", "つながり申請やFacebookの友達申請は、まだ送らないでください"],
        "research_sms": ["Jane Doeさん", "申請はまだ控えて", "14:00"],
        "thank_you": ["佐藤 花子様", "Jane Doe様", "件名：面接のお礼", "LinkedInはまだ控えましょう"],
        "connect": ["Acme Roboticsからの内定、おめでとうございます！", "LinkedIn"],
        "stop": ("配信停止", "今後SMSはお送りしません"),
        "page": ("Interview Nudgesの設定", "連絡方法", "保存"),
    },
    "pt-BR": {
        "zone": "America/Sao_Paulo",
        "phone": "+5511987654321",
        "name": "Ana Souza",
        "year": 2034,
        "when": "quinta-feira, 14 de dezembro às 14:00 (Horário de Brasília)",
        "research": ["Prepare-se para sua entrevista na empresa Acme Robotics", "ainda não envie pedidos de conexão"],
        "research_sms": ["Jane Doe", "Ainda nao se conecte", "14:00"],
        "thank_you": ["Olá, Jane,", "Assunto: Agradecimento pela nossa conversa", "Espere para o LinkedIn"],
        "connect": ["Parabéns pela oferta da empresa Acme Robotics!", "no LinkedIn"],
        "stop": ("Sair", "voce nao recebera mais SMS nossos"),
        "page": ("Seus Interview Nudges", "Como falar com você", "Salvar"),
    },
}


def _thursday(year: int, zone: str) -> datetime:
    """The second-to-last Thursday of December ``year``, 14:00 in ``zone``, as UTC."""
    day = datetime(year, 12, 24, 14, 0, tzinfo=ZoneInfo(zone))
    while day.weekday() != 3:
        day -= timedelta(days=1)
    return (day - timedelta(days=7)).astimezone(UTC)


@pytest.fixture(scope="module")
def driver():
    if browser.missing():
        pytest.skip(f"no headless Chromium: {browser.missing()}")
    with browser.chromium(1000, 1400) as chromium:
        yield chromium


@pytest.mark.parametrize("locale", list(JOURNEYS))
def test_a_candidate_gets_every_message_and_page_in_their_language(client, driver, unique, locale):
    from selenium.webdriver.common.by import By

    said = JOURNEYS[locale]
    phone = said["phone"]
    start = _thursday(said["year"], said["zone"])
    now = start - timedelta(days=10)
    client.set_clock(now)
    email = f"{locale.lower()}-{unique}@example.org"
    # Registration, in their language
    registered = client.register(
        email=email, timezone=said["zone"], channels=["email", "sms"], phone=phone, name=said["name"], locale=locale
    )
    assert registered.status == 201, registered
    assert (registered.body["locale"], registered.body["draft_locale"]) == (locale, locale)
    # A booking: Jane Doe of Acme Robotics, Thursday 14:00 their time
    booked = client.book(email, f"{locale}-{unique}", start, now, name=said["name"])
    assert booked.status == 200, booked
    interview_id = booked.body["interview_id"]

    def sent(kind: str) -> dict[str, dict]:
        return {m["channel"]: m for m in client.outbox() if m["interview_id"] == interview_id and m["kind"] == kind}

    # The research prompt, 48 h before: the date, time and zone as the language writes them
    client.set_clock(start - timedelta(hours=48))
    research = sent("research_prompt")
    assert set(research) == {"email", "sms"}, research
    assert said["when"] in research["email"]["body"], research["email"]["body"]
    for words in said["research"]:
        assert words in research["email"]["subject"] + research["email"]["body"], words
    for words in said["research_sms"]:
        assert words in research["sms"]["body"], research["sms"]["body"]
    assert sms_encoding.count(research["sms"]["body"]).segments <= 2
    assert sms_encoding.count(research["sms"]["body"]).encoding == ("UCS-2" if locale == "ja-JP" else "GSM-7")
    assert "GMT" not in research["email"]["body"] and "+0" not in research["email"]["body"]
    # The thank-you, 1 h after the end: a draft greeting Jane as the language greets
    client.set_clock(start + timedelta(hours=2))
    thank_you = sent("thank_you")
    assert set(thank_you) == {"email", "sms"}, thank_you
    for words in said["thank_you"]:
        assert words in thank_you["email"]["body"], words
    assert "Dear Jane" not in thank_you["email"]["body"] and "Hold off" not in thank_you["email"]["body"]
    # The offer, then the connect nudge
    assert client.outcome(interview_id, "offer").status == 202
    client.set_clock(start + timedelta(days=1))
    connect = sent("connect")
    assert set(connect) == {"email", "sms"}, connect
    for words in said["connect"]:
        assert words in connect["email"]["body"], words
    # A keyword in the language's own word, answered in it
    word, answer = said["stop"]
    before = len(client.outbox())
    assert client.request("POST", "/_local/sms", {"from": phone, "body": word}).status == 202
    [reply] = [m for m in client.outbox()[before:] if m["to"] == phone]
    assert reply["kind"] == "sms_reply" and answer in reply["body"], reply
    reachable = client.request("GET", f"/candidates/{registered.body['candidate_id']}").body
    assert reachable["unreachable_reasons"].get("sms") == "opted_out"
    # The preferences page in headless Chromium, in their language, with a switcher to the others
    title, legend, save = said["page"]
    driver.get(registered.body["preferences_url"])
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == locale
    assert driver.find_element(By.TAG_NAME, "h1").text == title
    assert legend in driver.find_element(By.TAG_NAME, "form").text
    assert driver.find_element(By.ID, "save").text == save
    chosen = driver.find_element(By.CSS_SELECTOR, "#locale option[selected]")
    assert chosen.get_attribute("value") == locale
    if locale == "de-DE" and os.environ.get("NUDGES_SCREENSHOTS"):  # docs/languages.md's picture
        driver.save_screenshot(str(ROOT / "docs" / "preferences-de-DE.png"))
    driver.find_element(By.CSS_SELECTOR, '#languages a[hreflang="en-GB"]').click()
    assert driver.find_element(By.TAG_NAME, "h1").text == "Your Interview Nudges"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-GB"


def test_a_page_without_a_candidate_follows_accept_language(client, stack):
    bad = client.request("GET", "/preferences/not-a-real-token", headers={"accept-language": "de-DE,de;q=0.9"})
    assert bad.status == 404 and "Dieser Link ist nicht gültig" in bad.body and 'lang="de-DE"' in bad.body
    bad = client.request("GET", "/preferences/not-a-real-token", headers={"accept-language": "ja"})
    assert "このリンクは無効です" in bad.body
    bad = client.request("GET", "/preferences/not-a-real-token", headers={"accept-language": "sv-SE"})
    assert "This link is not valid" in bad.body
