"""Each channel, nudge kind and calendar provider is said once, in nudges.domain.channels,
nudges.domain.kinds and nudges.domain.calendars: every record has every part, and every list the
service shows (the API's, the metrics', the ledger's, the CLI importer's, the pages', the
messages') and every branch on one reads from them."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from nudges import metrics, service_builders
from nudges.adapters import keys
from nudges.domain import calendars, candidate, catalog, channels, kinds, messages, plan
from nudges.models import api
from nudges_cli import importer


@pytest.mark.parametrize("spec", channels.CHANNEL_SPECS.values(), ids=lambda s: s.name)
def test_every_channel_has_every_part(spec):
    assert spec.address_field in candidate.Candidate.__dataclass_fields__
    assert spec.opt_out in keys.OPT_OUT_KEYS  # its opt-out record has a key
    assert spec.opt_out_reason and spec.size_rule and spec.sender
    assert spec.body in {"email", "short_text", "template"}
    assert not spec.needs_consent or spec.awaiting_consent  # a channel that waits says why
    assert spec.not_chosen and (spec.address_field == "email" or spec.no_address)


@pytest.mark.parametrize("locale", catalog.LOCALES)
@pytest.mark.parametrize("spec", channels.CHANNEL_SPECS.values(), ids=lambda s: s.name)
def test_every_channel_says_on_the_preferences_page_what_stops_it(spec, locale):
    """Its box's label, and a note for each reason it could not reach a candidate who chose it,
    in every locale; the offer to ask again exactly where the channel asks for consent."""
    entries = catalog.catalog(locale).entries
    assert spec.page_label
    if spec.needs_consent:  # every obstacle but a refusal said by the page elsewhere (email's own section)
        assert spec.page_no_address and spec.page_refused and spec.page_awaiting
    said = [spec.page_label, spec.page_note, spec.page_no_address, spec.page_refused, spec.page_awaiting]
    if spec.page_ask_again:
        said += [f"{spec.page_ask_again}.{part}" for part in ("heading", "text", "button")]
    for key in filter(None, said):
        assert f"page.{key}" in entries, (locale, key)
    assert bool(spec.page_ask_again) == (spec.needs_consent and spec.asks_for_consent)


def test_the_console_names_every_channels_reasons():
    from nudges import console_pages

    for spec in channels.CHANNEL_SPECS.values():
        reasons = {spec.not_chosen, spec.no_address, spec.opt_out_reason, spec.awaiting_consent} - {None}
        assert reasons <= set(console_pages.REASONS), (spec.name, reasons - set(console_pages.REASONS))


def test_every_channel_has_a_sender_in_the_wiring():
    built = service_builders._load("nudges.services.channel_senders.senders")(None, None, object())
    assert set(built) == set(channels.CHANNELS)


def test_the_channel_lists_read_the_registry():
    assert typing.get_args(channels.Channel) == channels.CHANNELS
    assert candidate.CHANNELS == metrics.CHANNELS == channels.CHANNELS
    listed = typing.get_args(typing.get_args(api.Channels)[0])[0]  # list[Channel]
    assert typing.get_args(listed) == channels.CHANNELS
    # The CLI ships alone (it cannot import the layer): its choices are checked against the registry.
    assert importer.CHANNELS == channels.CHANNELS
    assert importer.LOCALES == catalog.LOCALES


def test_the_locales_the_api_accepts_are_the_catalogs():
    from pydantic import TypeAdapter, ValidationError

    from nudges.domain import locales

    assert set(locales.CODES) == set(catalog.LOCALES)
    accepts = TypeAdapter(api.Locale)
    for code in catalog.LOCALES:
        assert accepts.validate_python(code) == code
    with pytest.raises(ValidationError):
        accepts.validate_python("sv-SE")


@pytest.mark.parametrize("spec", kinds.KIND_SPECS.values(), ids=lambda s: s.name)
def test_every_kind_has_every_part(spec):
    assert spec.timing and spec.usefulness
    assert (spec.owner == "application") == (spec.outcome is not None)
    assert spec.outcome in (None, *typing.get_args(api.OutcomeReport.model_fields["outcome"].annotation))
    for locale in catalog.LOCALES:
        entries = catalog.catalog(locale).entries
        assert set(spec.catalog_keys) <= set(entries), (locale, set(spec.catalog_keys) - set(entries))
    if spec.owner != "candidate":
        assert spec.name in messages.COMPOSE  # its builder


@pytest.mark.parametrize("spec", kinds.KIND_SPECS.values(), ids=lambda s: s.name)
def test_every_kind_is_named_on_the_pages(spec):
    """The console names every kind; the preferences page lists every kind an interview or an
    application owns, in every locale; the outcome link goes with the kinds that wait for news."""
    from nudges import console_pages, pages

    assert spec.name in console_pages.KIND_LABELS
    assert (spec.name in pages.LISTED_KINDS) == (spec.owner != "candidate")
    for locale in catalog.LOCALES:
        entries = catalog.catalog(locale).entries
        if spec.owner != "candidate":
            assert f"page.nudge.{spec.name}" in entries, locale
        if spec.optional:
            assert f"page.kind.{spec.name}" in entries, locale  # its "don't send" box
    assert not spec.links_outcome or spec.owner == "interview"


def test_the_kind_lists_read_the_registry():
    assert set(typing.get_args(kinds.NudgeKind)) == set(kinds.NUDGE_KINDS)
    assert set(typing.get_args(kinds.OptionalKind)) == set(kinds.OPTIONAL_KINDS)
    assert plan.NUDGE_KINDS == metrics.KINDS == kinds.NUDGE_KINDS
    assert plan.APPLICATION_KINDS == {"connect": "offer", "rejection_reply": "rejected"}
    assert plan.INTERVIEW_NUDGE_KINDS == ("research_prompt", "thank_you", "follow_up")
    assert candidate.OPTIONAL_KINDS == kinds.OPTIONAL_KINDS
    assert set(messages.KINDS) == {k for k, s in kinds.KIND_SPECS.items() if s.owner != "candidate"}
    kinds_off = typing.get_args(api.CandidateChanges.model_fields["kinds_off"].annotation)[0]
    assert set(typing.get_args(kinds_off)) == set(kinds.OPTIONAL_KINDS)


# Where a channel's name may be written as a literal, and why. Anywhere else a list or a branch
# on a channel reads nudges.domain.channels. An entry that no longer needs its literal fails too,
# so this list only shrinks.
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
CHANNEL_LITERAL = __import__("re").compile(r"""["'](sms|whatsapp)["']""")
CHANNEL_LITERALS_ALLOWED = {
    "layers/nudges/nudges/domain/channels.py": "the registry itself",
    "layers/nudges/nudges/services/channel_senders.py": "each channel's sender, by name",
    "layers/nudges/nudges/domain/kinds.py": "'sms' names a catalog part (the short text), not the channel",
    "layers/nudges/nudges/domain/rendering.py": "'sms' names a catalog part (the short text), not the channel",
    "layers/nudges/nudges/domain/service_messages.py": "'sms' names a catalog part (the short text), not the channel",
    "layers/nudges/nudges/services/consent_requests.py": "SMS's own double opt-in (asking for a YES by text)",
    "layers/nudges/nudges/models/views.py": "SMS's own inbound-text view",
    "layers/nudges/nudges/models/api.py": "an OpenAPI example body",
    "nudges_cli/importer.py": "the CLI ships alone: its copy of the registry is checked below",
    "nudges_cli/cli.py": "a comment showing the API's answer",
}


def _python_files():
    for top in ("layers/nudges/nudges", "functions", "nudges_cli"):
        yield from (p for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_channel_name_literal_outside_the_registry_and_its_adapters():
    found = {str(p.relative_to(ROOT)) for p in _python_files() if CHANNEL_LITERAL.search(p.read_text(encoding="utf-8"))}
    adapters = {
        str(p.relative_to(ROOT))
        for p in _python_files()
        if p.stem in channels.CHANNELS and p.parent.name in ("adapters", "services")
    }
    unexpected = found - set(CHANNEL_LITERALS_ALLOWED) - adapters
    assert not unexpected, f"a channel name written outside the registry: {sorted(unexpected)}"
    stale = set(CHANNEL_LITERALS_ALLOWED) - found
    assert not stale, f"no longer needs its channel literal (take it off the list): {sorted(stale)}"


def test_the_choice_lists_and_consent_rules_read_the_registry():
    from nudges import self_service
    from nudges.domain.candidate import Candidate

    assert tuple(n for n, s in channels.CHANNEL_SPECS.items() if s.on_join_form) == self_service.JOIN_CHANNELS
    assert {n: s.address_field for n, s in channels.CHANNEL_SPECS.items()} == importer.ADDRESS_FIELDS
    for name, spec in channels.CHANNEL_SPECS.items():
        # Every consent rule names fields a candidate has, and only channels that wait have one.
        assert bool(spec.consent_evidence) == spec.needs_consent, name
        assert set(spec.consent_evidence) <= set(Candidate.__dataclass_fields__), name
    assert set(channels.CONSENT_FIELDS) == {n for n, s in channels.CHANNEL_SPECS.items() if s.needs_consent}


# Calendar providers: each once in nudges.domain.calendars, its behaviour behind CalendarProvider.
PROVIDER_LITERAL = __import__("re").compile(r"""["'](google|microsoft)["']""")
PROVIDER_LITERALS_ALLOWED = {
    "layers/nudges/nudges/domain/calendars.py": "the registry itself",
    "layers/nudges/nudges/adapters/calendar_apis.py": "each provider's own API client (its name in errors and logs)",
    "layers/nudges/nudges/models/calendar_events.py": "each provider's own event reader, and an OpenAPI example",
}


@pytest.mark.parametrize("spec", calendars.CALENDAR_PROVIDERS.values(), ids=lambda s: s.name)
def test_every_calendar_provider_has_every_part(spec):
    from nudges.services import calendar_providers

    built = calendar_providers.providers(None, None)  # type: ignore[arg-type]
    assert built[spec.name].name == spec.name  # its class behind CalendarProvider
    for method in ("refresh", "account_email", "open_watch", "stop_watch", "renew", "read"):
        assert callable(getattr(built[spec.name], method)), method
    assert spec.label and spec.scope
    assert spec.auth_url.startswith("https://") and spec.token_url.startswith("https://")
    assert spec.auth_url_in({spec.auth_url_env: "http://127.0.0.1/auth"}) == "http://127.0.0.1/auth"
    for locale in catalog.LOCALES:  # its line in the welcome
        assert f"phrase.welcome_{spec.name}" in catalog.catalog(locale).entries, locale


def test_the_provider_lists_read_the_registry():
    from nudges import links
    from nudges.adapters import calendar_connections
    from nudges.models import calendar_events, views
    from nudges.services import calendar_providers, connect

    names = calendars.PROVIDER_NAMES
    assert tuple(calendar_providers.providers(None, None)) == calendar_providers.PROVIDER_NAMES == names  # type: ignore[arg-type]
    assert calendars.PROVIDER_NAMES == connect.PROVIDERS
    assert typing.get_args(calendars.CalendarProviderName) == names
    assert calendar_connections.Provider is calendars.CalendarProviderName
    assert calendar_events.CalendarConnect.model_fields["provider"].annotation is calendars.CalendarProviderName
    assert typing.get_type_hints(views.ConnectedCalendar)["provider"] is calendars.CalendarProviderName
    own = links.candidate_links("https://n.example", "k" * 32, "c_1")
    assert [p for p in own if p in names] == list(names)
    assert all(own[p].startswith(f"https://n.example/connect/{p}/") for p in names)
    assert set(names) <= set(metrics.PROVIDERS) and set(names) <= set(metrics.DEPENDENCIES)


WHEN = datetime(2031, 3, 3, 9, tzinfo=UTC)


class _NoRefusals:
    def refusals(self, candidate):
        return {}


class _NoCalendars:
    def connections(self, candidate_id):
        return []


def test_the_pages_and_messages_offer_every_provider_set_up():
    from nudges import pages
    from nudges.domain import service_messages
    from nudges.domain.plan import NudgeTimings
    from nudges.services import journey

    urls = {p: f"https://n.example/connect/{p}/t" for p in calendars.PROVIDER_NAMES}
    ada = candidate.Candidate("c_1", "ada@example.org", "Europe/London", ("email",), WHEN, "tok")
    welcome = service_messages.welcome(ada, service_messages.WelcomeLinks(urls, "https://n.example/p"), NudgeTimings())
    view = pages.PreferencesView(ada, "/preferences/t", {}, [], urls, None, locale="en-GB")
    page = pages.preferences(view)
    for name, spec in calendars.CALENDAR_PROVIDERS.items():
        assert urls[name] in welcome.text
        assert f'id="connect-{name}">{spec.label}</a>' in page
    shown = journey.journey(ada, _NoRefusals(), _NoCalendars(), "https://n.example", "k" * 32, ())
    assert shown["connect_urls"] == {}  # none set up: none offered
    shown = journey.journey(ada, _NoRefusals(), _NoCalendars(), "https://n.example", "k" * 32, None)
    assert list(shown["connect_urls"]) == list(calendars.PROVIDER_NAMES)


def test_no_calendar_provider_name_literal_outside_the_registry_and_its_adapters():
    found = {
        str(p.relative_to(ROOT)) for p in _python_files() if PROVIDER_LITERAL.search(p.read_text(encoding="utf-8"))
    }
    unexpected = found - set(PROVIDER_LITERALS_ALLOWED)
    assert not unexpected, f"a calendar provider's name written outside the registry: {sorted(unexpected)}"
    stale = set(PROVIDER_LITERALS_ALLOWED) - found
    assert not stale, f"no longer needs its provider literal (take it off the list): {sorted(stale)}"


# Nudge kinds: each once in nudges.domain.kinds. Where a kind's name may be written as a literal,
# and why; anywhere else a list, a lookup or a branch on a kind reads the registry (its outcome
# rule, its owner, its flags). An entry that no longer needs its literal fails too.
KIND_LITERAL = __import__("re").compile(r"""["'](""" + "|".join(kinds.NUDGE_KINDS) + r""")["']""")
KIND_LITERALS_ALLOWED = {
    "layers/nudges/nudges/domain/kinds.py": "the registry itself",
    "layers/nudges/nudges/domain/plan.py": "each kind's timing function (the registry's 'timing' says which)",
    "layers/nudges/nudges/domain/messages.py": "each kind's builder and its catalog entries (COMPOSE)",
    "layers/nudges/nudges/domain/service_messages.py": "the welcome's builder and its catalog entries",
    "layers/nudges/nudges/console_pages.py": "the console's English kind labels (checked complete above)",
    "layers/nudges/nudges/console_candidate_page.py": "an HTML anchor id ('welcome'), not a kind lookup",
    "layers/nudges/nudges/links.py": "'connect' names a link's purpose (the calendar connect page)",
    "functions/candidate_pages/app.py": "'connect' names a link's purpose (the calendar connect page)",
    "layers/nudges/nudges/metrics.py": "a docstring's example call",
}


def test_no_kind_name_literal_outside_the_registry_and_its_builders():
    found = {str(p.relative_to(ROOT)) for p in _python_files() if KIND_LITERAL.search(p.read_text(encoding="utf-8"))}
    unexpected = found - set(KIND_LITERALS_ALLOWED)
    assert not unexpected, f"a kind's name written outside the registry: {sorted(unexpected)}"
    stale = set(KIND_LITERALS_ALLOWED) - found
    assert not stale, f"no longer needs its kind literal (take it off the list): {sorted(stale)}"


def test_the_outcome_rules_read_the_registry():
    """What an outcome plans, keeps and replaces is each kind's outcome rule, and nothing else."""
    for outcome in ("offer", "rejected", "withdrawn", "waiting"):
        answers = kinds.answering(outcome)
        assert answers == tuple(n for n, s in kinds.KIND_SPECS.items() if s.outcome == outcome)
        replaced = kinds.replaced_on(outcome)
        assert set(replaced) == {r for n in answers for r in kinds.KIND_SPECS[n].replaces}
    assert kinds.answer_to("offer") == "connect" and kinds.answer_to("rejected") == "rejection_reply"
    assert kinds.replaced_on("rejected") == {"thank_you": "replaced by the rejection reply"}
    assert kinds.replaced_on("offer") == {} and kinds.answering("withdrawn") == ()
    for spec in kinds.KIND_SPECS.values():
        assert set(spec.replaces) <= set(kinds.INTERVIEW_NUDGE_KINDS), spec.name
        assert not spec.replaces or spec.outcome is not None, spec.name
    assert (kinds.SIGN_UP_KIND, kinds.RECEIPT_KIND, kinds.LAST_ROUND_KIND) == (
        "welcome",
        "research_prompt",
        "follow_up",
    )
