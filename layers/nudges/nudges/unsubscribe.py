"""Unsubscribe tokens: the candidate id and an HMAC of it, so a link unsubscribes only its owner
(signed as every candidate link is: ``nudges.links``)."""

from __future__ import annotations

from nudges import links


def make_token(key: str, candidate_id: str) -> str:
    return links.make_token(key, "unsubscribe", candidate_id)


def candidate_for(token: str, keys: list[str]) -> str:
    """The candidate id a token was made for; NotFound for anything forged or mangled."""
    return links.candidate_for(token, keys, "unsubscribe")


def unsubscribe_url(base_url: str, key: str, candidate_id: str) -> str:
    return links.link(base_url, key, "unsubscribe", candidate_id, "unsubscribe")
