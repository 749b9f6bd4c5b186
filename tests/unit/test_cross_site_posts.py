"""Which form posts to a candidate page count as another site's (``pages.cross_site_post``)."""

from __future__ import annotations

import pytest

from nudges import links
from nudges.errors import NotFound
from nudges.pages import FORM_TOKEN, cross_site_post, with_form_token

OWN = {"nudges.example.com", "abc.execute-api.eu-west-1.amazonaws.com"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://nudges.example.com"},
        {"origin": "https://nudges.example.com", "referer": "https://nudges.example.com/preferences/x.y"},
        {"Referer": "https://nudges.example.com/preferences/x.y"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://abc.execute-api.eu-west-1.amazonaws.com"},
    ],
)
def test_the_pages_own_posts_pass(headers: dict[str, str]) -> None:
    assert cross_site_post(headers, OWN, form_token_valid=False) is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Origin": "https://evil.example"}, "Origin"),
        ({"Origin": "null"}, "Origin"),
        ({"Origin": " NULL "}, "Origin"),
        ({"Referer": "https://evil.example/page"}, "Referer"),
        ({"Origin": "https://nudges.example.com", "Referer": "https://evil.example/"}, "Referer"),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://nudges.example.com"}, "Sec-Fetch-Site"),
        ({}, "form token"),
    ],
)
def test_another_sites_posts_are_refused(headers: dict[str, str], reason: str) -> None:
    refusal = cross_site_post(headers, OWN, form_token_valid=False)
    assert refusal is not None and reason in refusal


def test_with_neither_header_the_signed_form_token_is_enough() -> None:
    assert cross_site_post({}, OWN, form_token_valid=True) is None
    # ...but never against a foreign or null Origin
    assert cross_site_post({"Origin": "null"}, OWN, form_token_valid=True) is not None


def test_every_post_form_carries_the_token_and_get_forms_do_not() -> None:
    token = links.make_token("k", "form", "c_1")
    page = '<form method="post" action="/a"><input name="x"></form><form method="get"></form><form method="post">'
    marked = with_form_token(page, token)
    assert marked.count(f'name="{FORM_TOKEN}" value="{token}"') == 2
    assert links.candidate_for(token, ["k"], "form") == "c_1"
    with pytest.raises(NotFound):
        links.candidate_for(token, ["k"], "preferences")  # a form token is no preferences link
