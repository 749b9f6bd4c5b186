"""The candidate's own links: the candidate id and an HMAC of it for one purpose (unsubscribe,
preferences, connect), so a link works only for its owner and only for what it was made for.

Keys come from the ``UnsubscribeSigningKey`` secret, newest first: links are signed with the
first and accepted with any, so a key is rotated by putting a new one first and dropping the old
one once the links made with it may go dark.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal

from nudges.domain.calendars import PROVIDER_NAMES
from nudges.errors import NotFound

# "form": the token hidden in a candidate page's forms (pages.with_form_token), asked for when a
# post carries neither Origin nor Referer.
Purpose = Literal["unsubscribe", "preferences", "connect", "interviews", "outcome", "form"]


def _signature(key: str, purpose: Purpose, candidate_id: str) -> str:
    digest = hmac.new(key.encode(), f"{purpose}:{candidate_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def make_token(key: str, purpose: Purpose, candidate_id: str) -> str:
    return f"{candidate_id}.{_signature(key, purpose, candidate_id)}"


# A short link (in a text, where every character costs) carries the first 16 characters of the
# same signature: 96 bits, still out of reach of guessing.
SHORT_SIGNATURE = 16


def make_short_token(key: str, purpose: Purpose, candidate_id: str) -> str:
    return f"{candidate_id}.{_signature(key, purpose, candidate_id)[:SHORT_SIGNATURE]}"


def candidate_for(token: str, keys: list[str], purpose: Purpose) -> str:
    """The candidate id a token (full or short) was made for; NotFound for anything forged,
    mangled or made for another purpose."""
    candidate_id, _, signature = token.partition(".")
    length = len(signature)
    if (
        candidate_id
        and length in (SHORT_SIGNATURE, 24)
        and any(hmac.compare_digest(_signature(k, purpose, candidate_id)[:length], signature) for k in keys)
    ):
        return candidate_id
    raise NotFound(f"this {purpose} link is not valid", field="token")


def link(base_url: str, key: str, purpose: Purpose, candidate_id: str, path: str) -> str:
    """``<base>/<path>/<token>``: ``path`` is the route before the token (``preferences``, ``connect/google``)."""
    return f"{base_url.rstrip('/')}/{path}/{make_token(key, purpose, candidate_id)}"


def short_link(base_url: str, key: str, purpose: Purpose, candidate_id: str, path: str) -> str:
    """``<base>/<path>/<short token>``: for texts (``p`` is the preferences page's short path)."""
    return f"{base_url.rstrip('/')}/{path}/{make_short_token(key, purpose, candidate_id)}"


def candidate_links(base_url: str, key: str, candidate_id: str) -> dict[str, str]:
    """Every link a candidate is given: preferences (and its short form for texts), and connect
    per calendar provider (nudges.domain.calendars), by the provider's name."""
    return {
        "preferences": link(base_url, key, "preferences", candidate_id, "preferences"),
        "preferences_short": short_link(base_url, key, "preferences", candidate_id, "p"),
        **{p: link(base_url, key, "connect", candidate_id, f"connect/{p}") for p in PROVIDER_NAMES},
    }


def outcome_token(key: str, candidate_id: str, application_id: str) -> str:
    """The outcome page's token: signed for one candidate and one application."""
    return make_token(key, "outcome", f"{candidate_id}.{application_id}")


def outcome_for(token: str, keys: list[str]) -> tuple[str, str]:
    """(candidate id, application id) an outcome token was made for; NotFound otherwise."""
    candidate_id, _, rest = token.partition(".")
    application_id, _, signature = rest.partition(".")
    subject = f"{candidate_id}.{application_id}"
    if (
        candidate_id
        and application_id
        and signature
        and any(hmac.compare_digest(_signature(k, "outcome", subject), signature) for k in keys)
    ):
        return candidate_id, application_id
    raise NotFound("this outcome link is not valid", field="token")


def outcome_link(base_url: str, key: str, candidate_id: str, application_id: str) -> str:
    return f"{base_url.rstrip('/')}/outcome/{outcome_token(key, candidate_id, application_id)}"


def add_interview_link(base_url: str, key: str, candidate_id: str, subject: str | None = None) -> str:
    """The add-an-interview page, prefilled with a forwarded mail's subject when there is one."""
    from urllib.parse import urlencode

    url = link(base_url, key, "interviews", candidate_id, "interviews/new")
    return f"{url}?{urlencode({'subject': subject[:200]})}" if subject else url


def edit_interview_link(base_url: str, key: str, candidate_id: str, interview_id: str) -> str:
    return f"{base_url.rstrip('/')}/interviews/{interview_id}/edit/{make_token(key, 'interviews', candidate_id)}"
