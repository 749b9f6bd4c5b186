"""No sentence of a candidate page lives in code: every candidate page (preferences, join, check
your inbox, confirm, the email change, add or change an interview, the outcome page, the error
page), rendered in German and in Japanese with every part it can show (notices, refused fields,
interviews with their nudges, calendars, a suppressed email), shows no English word that the
en-GB catalog's page strings use, except words the locale's own catalog says too (a product
name, "SMS") and the data the page was given (names, companies, zone names)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import available_timezones

import pytest

from nudges import config, journey_pages, page_frame, pages
from nudges.adapters.calendar_connections import CalendarConnection
from nudges.domain import catalog
from nudges.domain.candidate import Candidate
from nudges.domain.locales import LOCALES

WHEN = datetime(2036, 4, 8, 13, tzinfo=UTC)
ADA = Candidate(
    candidate_id="c_1",
    email="ada@example.org",
    timezone="Europe/Berlin",
    channels=("email", "sms"),
    created_at=WHEN,
    ics_inbox_token="t1",
    phone="+4915112345678",
    name="Ada Lovelace",
)
DATA = "Ada Lovelace ada@example.org Acme Analyst Grace Hopper grace@acme.example Room Berlin"
# The fields a candidate page's form is refused by outside a form's own fields (services'
# InvalidInput and Conflict on the preferences, interview and join forms).
REFUSED_FIELDS = ("confirm", "disconnect", "ask_consent", "resubscribe_email", "form", "interview_id", "join_code")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{3,}")


class _Visible(HTMLParser):
    """The words a person sees or hears: text outside <style>, and the spoken attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [v or "" for k, v in attrs if k in ("aria-label", "title", "placeholder", "alt")]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.parts)


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def english_words(locale: str) -> set[str]:
    """The en-GB page strings' words that ``locale``'s own catalog never uses."""
    gb = catalog.catalog("en-GB").entries
    english = set().union(*(_words(" ".join(e.texts)) for k, e in gb.items() if k.startswith("page.")))
    own = set().union(*(_words(" ".join(e.texts)) for e in catalog.catalog(locale).entries.values()))
    allowed = (
        own
        | _words(DATA)
        | _words(" ".join(x.name for x in LOCALES))
        | _words(" ".join(available_timezones()).replace("_", " "))
        | _words(config.branding().operator_name)
    )
    return english - allowed


def _view(locale: str, **changes: object) -> pages.PreferencesView:
    start = WHEN + timedelta(days=2)
    nudges = [
        {"kind": "research_prompt", "status": "scheduled", "due_at": (start - timedelta(hours=20)).isoformat()},
        {"kind": "thank_you", "status": "skipped", "reason": "turned off by the candidate"},
        {"kind": "follow_up", "status": "sent"},
        {"kind": "connect", "status": "cancelled", "reason": "the application ended: withdrawn"},
        {"kind": "rejection_reply", "status": "scheduled"},
    ]
    interview = {
        "interview_id": "iv_1",
        "application_id": "ap_1",
        "title": "Analyst",
        "company": "Acme",
        "start": start.isoformat(),
        "status": "scheduled",
        "source": "hand",
        "nudges": nudges,
    }
    calendar = CalendarConnection("c_1", "google", "primary", "r", WHEN, "https://x/webhooks/google", "ada@example.org")
    view = pages.PreferencesView(
        candidate=ADA,
        action="/preferences/tok",
        refused={},
        calendars=[calendar],
        connect_urls={"google": "https://x/connect/google/tok", "microsoft": "https://x/connect/microsoft/tok"},
        forwarding_address="t1@in.example",
        locale=locale,
        interviews=[interview, {**interview, "interview_id": "iv_2", "company": "", "title": "Acme"}],
        add_interview_url="https://x/interviews/new/tok",
        edit_url=lambda i: f"https://x/interviews/{i}/edit/tok",
        outcome_url=lambda a: f"https://x/outcome/{a}/tok",
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def candidate_pages(locale: str) -> dict[str, str]:
    """Every candidate page in ``locale``, with every part it can show."""
    words = {"phone": ["+49"], "timezone": ["Europe/Berlin"]}
    shown = {
        "preferences": pages.preferences(_view(locale)),
        "preferences, refused": pages.preferences(
            _view(locale, errors={"phone": "x", "timezone": "y"}, values=words, candidate=replace(ADA, paused=True))
        ),
        "preferences, email off": pages.preferences(_view(locale, refused={"email": "bounced"}, calendars=[])),
        "preferences, unsubscribed": pages.preferences(_view(locale, refused={"email": "unsubscribed"})),
        "preferences, nothing ahead": pages.preferences(_view(locale, interviews=[], forwarding_address=None)),
        **{
            f"preferences, notice {n}": pages.preferences(_view(locale, notice=n))
            for n in (*pages.NOTICES, *pages.EMAIL_NOTICES)
        },
        "message page": pages.message_page(pages.say(locale, "erased.title"), pages.say(locale, "erased.text"), locale),
    }
    state = page_frame.FormState({}, {}, locale)
    refused = page_frame.FormState({"name": ["Ada"]}, {"email": "email", "channels": "channels"}, locale)
    for name, s in (("join", state), ("join, refused", refused)):
        shown[name] = journey_pages.join(journey_pages.JoinView("/join/c", "Cohort", ("email", "sms"), s))
    shown["join sent"] = journey_pages.join_sent("ada@example.org", locale)
    shown["verify"] = journey_pages.verify("/verify/t", "ada@example.org", locale)
    shown["verified"] = journey_pages.verified(True, "https://x/p", locale)
    shown["verified, known"] = journey_pages.verified(False, None, locale)
    shown["email verify"] = journey_pages.email_verify("/email/verify/t", "ada@example.org", locale)
    shown["email verified"] = journey_pages.email_verified("ada@example.org", "https://x/p", locale)
    form = page_frame.FormState({"company": ["Acme"], "interviewer_name": ["Grace Hopper"]}, {"date": "date"}, locale)
    for name, view in (
        ("interview, new", journey_pages.InterviewView("/i", "/p", form)),
        ("interview, edit", journey_pages.InterviewView("/i", "/p", form, editing=True, cancel_action="/c")),
        *(
            (f"interview from {source}", journey_pages.InterviewView("/i", "/p", form, True, source))
            for source in ("google", "microsoft", "ics", "calendly", "calcom", "api")
        ),
        ("interview, cancelled", journey_pages.InterviewView("/i", "/p", form, editing=True, cancelled=True)),
    ):
        shown[name] = journey_pages.interview_form(view)
    outcome = page_frame.FormState({}, {"outcome": "outcome"}, locale)
    shown["outcome"] = journey_pages.outcome_form("/o", "Acme", outcome, recorded="waiting")
    for choice in journey_pages.OUTCOME_CHOICES:
        shown[f"outcome done, {choice}"] = journey_pages.outcome_done("Acme", choice, None, locale, "/p")
    shown["outcome standing"] = journey_pages.outcome_done("Acme", "offer", "rejected", locale, "/p")
    for status in (400, 403, 404, 409, 410, 413, 429, 500, 503):
        shown[f"error {status}"] = page_frame.error_page(status, locale)
    for field in (*REFUSED_FIELDS, "phone", "email.address", "no_such_field"):
        shown[f"refused {field}"] = page_frame.error_page(400, locale, page_frame.refusal_words(field, locale))
    return shown


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP"])
def test_no_english_word_on_a_candidate_page(locale):
    english = english_words(locale)
    assert {"interview", "cancel", "change", "mobile", "number"} & english, "the check would see English"
    found = {}
    for name, page in candidate_pages(locale).items():
        left = sorted(_words(visible(page)) & english)
        if left:
            found[name] = left
    assert not found, f"English in {locale} candidate pages (move it to the catalogs): {found}"


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP"])
def test_dates_and_countries_on_the_pages_are_in_the_page_language(locale):
    page = pages.preferences(_view(locale))
    start = (WHEN + timedelta(days=2)).astimezone(ADA.zone)
    assert page_frame.when(start, locale) in page
    assert not re.search(r"\b(Wed|Thu)\b", visible(page)), "an English weekday"
    germany = dict(page_frame.countries(locale))["DE"]
    assert germany.startswith({"de-DE": "Deutschland", "ja-JP": "ドイツ"}[locale]) and germany in page
    join = journey_pages.join(
        journey_pages.JoinView("/join/c", "Cohort", ("email",), page_frame.FormState({}, {}, locale))
    )
    assert all(f'value="{x.code}"' in join for x in LOCALES), "the join page offers every language"


@pytest.mark.parametrize("locale", ["en-GB", "de-DE", "ja-JP"])
def test_a_refusal_is_said_in_the_page_language_by_its_field(locale):
    for field in REFUSED_FIELDS:
        words = page_frame.refusal_words(field, locale)
        assert words, field
        page = page_frame.error_page(409, locale, words)
        assert html.escape(words) in page
    assert page_frame.refusal_words("no_such_field", locale) is None
    confirm = page_frame.refusal_words("confirm", locale) or ""
    assert pages.say(locale, "erase.word") in confirm  # the word to type, in the page's language


def test_the_erase_word_of_every_language_confirms_an_erasure():
    from nudges.services.candidate_choices import erase_words

    assert {"erase", "löschen", "削除"} <= erase_words()
    page = pages.preferences(_view("de-DE"))
    assert "<strong>löschen</strong>" in page


def test_a_booking_s_source_is_named_as_the_candidate_knows_it():
    assert journey_pages.source_name("google", "ja-JP") == "Google Calendar"
    assert journey_pages.source_name("calcom", "de-DE") == "Cal.com"
    assert journey_pages.source_name("ics", "de-DE") == "der weitergeleiteten Einladungs-E-Mail"
    assert journey_pages.source_name("some_api", "en-GB") == "another booking system"
