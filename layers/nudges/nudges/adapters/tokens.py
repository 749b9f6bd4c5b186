"""Verifying the pool's tokens before anything trusts them (PyJWT, RS256 only).

Each token is checked for: a signature by a key the pool publishes (its JWKS, fetched once per
process and again for an unknown ``kid``), ``iss`` naming this pool (every moto pool signs with
the same key, and so could two pools in one account: the issuer tells them apart), the console's
own app client (``client_id`` on an access token, ``aud`` on an id token), ``token_use``, and
expiry by the wall clock (Cognito's own clock; the service's virtual clock never applies here).
The id token must belong to the same person as the access token.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt

from nudges.domain.advisers import Adviser

if TYPE_CHECKING:
    from collections.abc import Callable

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30  # clock skew between Cognito and this function


class TokenRefused(Exception):
    """A token this console must not trust; ``reason`` says which check failed (for the log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    adviser: Adviser
    expires_at: int  # the access token's exp (epoch seconds)


def issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(region: str, pool_id: str) -> str:
    """The pool's published keys; at the AWS endpoint the stack names when one is set (moto
    serves them at the same path)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP") or os.environ.get("AWS_ENDPOINT_URL")
    base = endpoint.rstrip("/") if endpoint else f"https://cognito-idp.{region}.amazonaws.com"
    return f"{base}/{pool_id}/.well-known/jwks.json"


def jwks_keys(url: str) -> Callable[[str], Any]:
    """The key for a token, by its ``kid``, from the pool's JWKS (cached; refetched for a new kid)."""
    client = jwt.PyJWKClient(url, cache_keys=True, lifespan=6 * 3600, timeout=5)

    def key_for(token: str) -> Any:
        try:
            return client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise TokenRefused(f"no key of the pool signs it: {exc}") from None

    return key_for


class TokenVerifier:
    def __init__(
        self,
        pool_id: str,
        client_id: str,
        region: str,
        key_for: Callable[[str], Any],
        now: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer(region, pool_id)
        self._client_id = client_id
        self._key_for = key_for
        self._now = now

    def _claims(self, token: str, use: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"not a JWT: {exc}") from None
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused(f"algorithm {header.get('alg')!r} is not RS256")
        key = self._key_for(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                # An access token has no aud (its client is client_id); an id token's aud is the client.
                audience=self._client_id if use == "id" else None,
                options={
                    "require": ["exp", "iat", "iss", "sub", "token_use"],
                    "verify_aud": use == "id",
                    "verify_exp": False,  # checked below against this verifier's clock
                    "verify_iat": False,
                },
            )
        except jwt.InvalidIssuerError:
            raise TokenRefused("issued by another pool") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("issued to another client") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused("signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"invalid: {exc}") from None
        if claims.get("token_use") != use:
            raise TokenRefused(f"token_use is {claims.get('token_use')!r}, not {use!r}")
        if use == "access" and claims.get("client_id") != self._client_id:
            raise TokenRefused("issued to another client")
        if int(claims["exp"]) + LEEWAY_SECONDS <= self._now():
            raise TokenRefused("expired")
        return claims

    def verify(self, access_token: str, id_token: str) -> Verified:
        access = self._claims(access_token, "access")
        identity = self._claims(id_token, "id")
        if identity["sub"] != access["sub"]:
            raise TokenRefused("the id token is someone else's")
        groups = access.get("cognito:groups") or []
        return Verified(
            Adviser(
                sub=str(access["sub"]),
                email=str(identity.get("email") or ""),
                groups=frozenset(str(g) for g in groups),
            ),
            int(access["exp"]),
        )
