"""Unsubscribe tokens: the candidate id and an HMAC of it, so a link unsubscribes only its owner."""

from __future__ import annotations

import base64
import hashlib
import hmac

from nudges.errors import NotFound


def _signature(key: str, candidate_id: str) -> str:
    digest = hmac.new(key.encode(), f"unsubscribe:{candidate_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def make_token(key: str, candidate_id: str) -> str:
    return f"{candidate_id}.{_signature(key, candidate_id)}"


def candidate_for(token: str, keys: list[str]) -> str:
    """The candidate id a token was made for; NotFound for anything forged or mangled."""
    candidate_id, _, signature = token.partition(".")
    if candidate_id and signature and any(hmac.compare_digest(_signature(k, candidate_id), signature) for k in keys):
        return candidate_id
    raise NotFound("this unsubscribe link is not valid", field="token")


def unsubscribe_url(base_url: str, key: str, candidate_id: str) -> str:
    return f"{base_url.rstrip('/')}/unsubscribe/{make_token(key, candidate_id)}"
