"""The message catalogs: every locale says every entry, with the same placeholders, translated;
the English catalogs' SMS wordings stay in GSM-7; no sentence of the messages is left in code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from nudges.domain import catalog, sms_encoding
from nudges.domain.rendering import Words

LAYER = Path(catalog.__file__).resolve().parent.parent
SIMPLE_NAME = re.compile(r"^[a-z_A-Z][a-z_A-Z0-9]*$")


def _read(locale: str):
    with (catalog.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def _entries(locale: str) -> dict[str, object]:
    return {m.context: m for m in _read(locale) if m.id}


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


def test_the_locales_are_the_folders_with_a_catalog_and_the_default_comes_first():
    assert catalog.LOCALES[0] == catalog.DEFAULT_LOCALE == "en-GB"
    assert {"en-GB", "en-US"} <= set(catalog.LOCALES)
    assert catalog.catalog("xx-XX").locale == "en-GB"  # an unknown locale reads the default's


def test_every_entry_has_a_key_and_keys_are_unique():
    for locale in catalog.LOCALES:
        messages = [m for m in _read(locale) if m.id]
        keys = [m.context for m in messages]
        assert None not in keys, locale
        assert len(keys) == len(set(keys)), (locale, [k for k in keys if keys.count(k) > 1])


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_every_locale_has_every_key_with_the_same_placeholders_translated(locale):
    source, theirs = _entries(catalog.DEFAULT_LOCALE), _entries(locale)
    assert sorted(theirs) == sorted(source), set(theirs) ^ set(source)
    for key, original in source.items():
        message = theirs[key]
        assert _ids(message) == _ids(original), f"{locale} {key}: msgid is not the en-GB text"
        expected = catalog.placeholders(_ids(original)[-1])
        for text in _strings(message):
            assert text, f"{locale} {key}: untranslated"
            assert catalog.placeholders(text) == expected, f"{locale} {key}: placeholders differ"
            assert all(SIMPLE_NAME.match(name) for name in catalog.placeholders(text)), f"{locale} {key}"


def test_the_en_gb_catalog_says_its_msgids():
    for key, message in _entries("en-GB").items():
        assert _strings(message) == _ids(message), key


@pytest.mark.parametrize("locale", ["en-GB", "en-US"])
def test_every_sms_wording_in_english_is_in_the_gsm7_alphabet(locale):
    for key, message in _entries(locale).items():
        if ".sms" in key or key.startswith("sms_reply."):
            assert all(sms_encoding.is_gsm7(text) for text in _strings(message)), (locale, key)


def test_a_lookup_fills_placeholders_and_a_missing_value_is_an_error():
    words = catalog.catalog("en-GB")
    assert words.text("phrase.on_weekday", weekday="Tuesday") == "on Tuesday"
    assert words.plural("phrase.others", 1) == "1 other" and words.plural("phrase.others", 2) == "2 others"
    assert words.plural("phrase.hours", 1) == "1 hour" and words.plural("phrase.hours", 48) == "48 hours"
    assert words.plural("phrase.hours", 1.5) == "1.5 hours"
    with pytest.raises(KeyError):
        words.text("phrase.on_weekday")


def test_en_us_differs_where_american_english_does():
    gb, us = catalog.catalog("en-GB"), catalog.catalog("en-US")
    assert gb.text("phrase.org_any") == "the organisation" and us.text("phrase.org_any") == "the organization"
    # Lists are CLDR's (nudges.domain.formatting), serial comma included.
    assert Words("en-US").join(["A", "B", "C"]) == "A, B, and C"
    assert Words("en-GB").join(["A", "B", "C"]) == "A, B and C"
    assert Words("en-GB").join(["A", "B", Words("en-GB").others(2)]) == "A, B and 2 others"


def test_every_key_the_code_names_is_in_the_catalog():
    """The keys named in the layer's code (``words("x")``, ``fill("kind", "part")``, catalog
    ``text("a.b")``) all exist: a renamed entry fails here, not in a send."""
    keys = set(_entries("en-GB"))
    named: set[str] = set()
    for path in LAYER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            args = node.args
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "words" and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                named.add(f"phrase.{args[0].value}")
            elif name in {"text", "plural"} and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                if "." in args[0].value:
                    named.add(args[0].value)
            elif name == "fill" and len(args) >= 2 and all(isinstance(a, ast.Constant) for a in args[:2]):
                named.add(f"{args[0].value}.{args[1].value}")
    assert named, "the scan found no keys"
    assert named <= keys, sorted(named - keys)


def test_no_message_text_is_left_in_template_files():
    assert not (LAYER / "templates").exists()
