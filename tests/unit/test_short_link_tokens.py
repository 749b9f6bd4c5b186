"""Short links for texts: the same signed scheme, a shorter path and signature (nudges.links)."""

from __future__ import annotations

import pytest

from nudges import links
from nudges.errors import NotFound

KEY, OLD = "k1", "k0"
CANDIDATE = "c_0123456789abcdef01234567"


def test_a_short_link_is_the_same_page_by_a_shorter_path_and_token():
    found = links.candidate_links("https://nudges.example.com", KEY, CANDIDATE)
    short, full = found["preferences_short"], found["preferences"]
    assert short.startswith("https://nudges.example.com/p/c_0123456789abcdef01234567.")
    assert len(short) == len(full) - len("preferences") + len("p") - (24 - links.SHORT_SIGNATURE)
    assert links.candidate_for(short.rsplit("/", 1)[1], [KEY], "preferences") == CANDIDATE
    assert links.candidate_for(full.rsplit("/", 1)[1], [KEY], "preferences") == CANDIDATE


@pytest.mark.parametrize(
    "token",
    [
        links.make_short_token(KEY, "connect", CANDIDATE),  # made for another purpose
        links.make_short_token("another", "preferences", CANDIDATE),  # another key
        links.make_short_token(KEY, "preferences", CANDIDATE)[:-1],  # cut short
        links.make_short_token(KEY, "preferences", CANDIDATE)[:-4] + "AAAA",  # altered
        "c_000000000000000000000000." + links.make_short_token(KEY, "preferences", CANDIDATE).split(".")[1],
    ],
)
def test_a_forged_or_mangled_short_token_is_refused(token):
    with pytest.raises(NotFound):
        links.candidate_for(token, [KEY], "preferences")


def test_a_short_token_made_with_the_previous_key_still_works():
    token = links.make_short_token(OLD, "preferences", CANDIDATE)
    assert links.candidate_for(token, [KEY, OLD], "preferences") == CANDIDATE
