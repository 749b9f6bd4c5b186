"""The locale registry: codes, names, defaults, Accept-Language."""

from __future__ import annotations

import pytest

from nudges.domain import locales
from nudges.domain.locales import CODES, UnsupportedLocale, negotiate, registration_locale


def test_the_ten_locales_with_their_own_names() -> None:
    assert CODES == ("en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "nl-NL", "pt-BR", "it-IT", "ja-JP", "zh-CN")
    assert locales.get("de-DE").name == "Deutsch"
    assert locales.get("ja-JP").name == "日本語"
    assert locales.get("de_de").code == "de-DE"


def test_an_unsupported_locale_names_the_supported_ones_in_plain_words() -> None:
    with pytest.raises(UnsupportedLocale) as raised:
        locales.get("sv-SE")
    assert str(raised.value) == (
        "'sv-SE' is not a supported language; use one of "
        "en-GB, en-US, de-DE, fr-FR, es-ES, nl-NL, pt-BR, it-IT, ja-JP or zh-CN"
    )


def test_a_stored_locale_no_longer_supported_reads_as_the_default() -> None:
    assert locales.resolve("xx-XX").code == "en-GB"
    assert locales.resolve(None).code == "en-GB"


@pytest.mark.parametrize(
    ("default", "territory", "expected"),
    [
        ("en-GB", "US", "en-US"),
        ("en-GB", "GB", "en-GB"),
        ("en-GB", "BR", "en-GB"),  # America/Sao_Paulo is no US zone
        ("en-GB", None, "en-GB"),
        ("de-DE", "US", "de-DE"),  # only English turns American
        ("en-US", "GB", "en-US"),
    ],
)
def test_registration_locale(default: str, territory: str | None, expected: str) -> None:
    assert registration_locale(default, territory) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de-DE"),
        ("de", "de-DE"),
        ("de-AT", "de-DE"),
        ("fr-CA,fr;q=0.9", "fr-FR"),
        ("pt-PT", "pt-BR"),
        ("en-US", "en-US"),
        ("en-AU", "en-GB"),
        ("en", "en-GB"),
        ("ja", "ja-JP"),
        ("zh-Hans-CN,zh;q=0.9", "zh-CN"),
        ("sv-SE,nl;q=0.5", "nl-NL"),
        ("sv-SE", "en-GB"),
        ("", "en-GB"),
        (None, "en-GB"),
        ("*", "en-GB"),
        ("fr;q=0.2,es;q=0.8", "es-ES"),
        ("de;q=0", "en-GB"),
        ("garbage;;q=x", "en-GB"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_accept_language_english_follows_an_english_default() -> None:
    assert negotiate("en", "en-US") == "en-US"
    assert negotiate("sv", "de-DE") == "de-DE"


def test_every_locale_has_its_own_opt_out_words_except_english() -> None:
    for locale in locales.LOCALES:
        assert bool(locale.opt_out) == (locale.language != "en"), locale.code
        assert locale.sms in ("gsm7", "transliterate", "ucs2")


def test_the_clis_list_is_the_registrys() -> None:
    from nudges_cli import importer

    assert importer.LOCALES == CODES


def test_default_locale_comes_from_the_template_parameter(monkeypatch) -> None:
    from nudges import config

    monkeypatch.setenv("DEFAULT_LOCALE", "de-DE")
    assert config.default_locale() == "de-DE"
    monkeypatch.setenv("DEFAULT_LOCALE", "")
    assert config.default_locale() == "en-GB"


def test_the_template_offers_exactly_the_registrys_locales() -> None:
    from pathlib import Path

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    root = Path(__file__).resolve().parents[2]
    template = yaml.load((root / "template.yaml").read_text(), Loader=Loader)
    parameter = template["Parameters"]["DefaultLocale"]
    assert tuple(parameter["AllowedValues"]) == CODES
    assert parameter["Default"] == "en-GB"


def test_docs_list_every_locales_keywords() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "languages.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    for locale in locales.LOCALES:
        if locale.language == "en":
            continue
        cells = [c.strip() for c in rows[locale.code].split("|")[2:6]]
        assert cells == [", ".join(words) for words in (locale.opt_out, locale.opt_in, locale.help, locale.yes)]


def test_every_locale_has_a_catalog_and_every_catalog_a_locale() -> None:
    from nudges.domain import catalog

    assert set(catalog.LOCALES) == set(CODES)
