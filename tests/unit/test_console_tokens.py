"""Verifying the pool's tokens (nudges.adapters.tokens): every check the console relies on."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from nudges.adapters.tokens import TokenRefused, TokenVerifier, issuer, jwks_url

POOL, CLIENT, REGION = "eu-west-2_Pool1", "console-client", "eu-west-2"
NOW = 2_000_000_000
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def verifier(now: float = NOW) -> TokenVerifier:
    return TokenVerifier(POOL, CLIENT, REGION, lambda _token: KEY.public_key(), now=lambda: now)


def tokens(*, key=KEY, alg="RS256", access=None, identity=None, drop=()):
    base = {"iss": issuer(REGION, POOL), "sub": "sub-1", "iat": NOW - 10, "exp": NOW + 3600}
    a = {**base, "token_use": "access", "client_id": CLIENT, "cognito:groups": ["advisers"], **(access or {})}
    i = {**base, "token_use": "id", "aud": CLIENT, "email": "ada@example.org", **(identity or {})}
    for name in drop:
        a.pop(name, None)
    signing = key if alg == "RS256" else "a-shared-secret-of-enough-length-for-hs256"
    return jwt.encode(a, signing, algorithm=alg), jwt.encode(i, signing, algorithm=alg)


def refused(access: str, identity: str, now: float = NOW) -> str:
    with pytest.raises(TokenRefused) as caught:
        verifier(now).verify(access, identity)
    return caught.value.reason


def test_the_pools_own_tokens_give_the_adviser_and_their_groups():
    verified = verifier().verify(*tokens())
    assert verified.adviser.sub == "sub-1" and verified.adviser.email == "ada@example.org"
    assert verified.adviser.groups == frozenset({"advisers"}) and not verified.adviser.is_admin
    assert verified.expires_at == NOW + 3600


def test_a_signature_by_another_key_is_refused():
    assert refused(*tokens(key=OTHER_KEY)) == "signature does not verify"


def test_a_token_signed_with_a_shared_secret_is_refused_before_any_key_is_used():
    assert "not RS256" in refused(*tokens(alg="HS256"))


def test_another_pools_issuer_is_refused():
    other = issuer(REGION, "eu-west-2_Other")
    assert refused(*tokens(access={"iss": other}, identity={"iss": other})) == "issued by another pool"


def test_another_client_is_refused_on_either_token():
    assert refused(*tokens(access={"client_id": "someone-else"})) == "issued to another client"
    assert refused(*tokens(identity={"aud": "someone-else"})) == "issued to another client"


def test_the_wrong_token_use_is_refused():
    access, identity = tokens()
    assert "token_use" in refused(identity, identity)  # an id token offered as the access token
    assert "aud" in refused(access, access)  # an access token offered as the id token has no audience


def test_expiry_follows_the_given_wall_clock_with_a_small_leeway():
    access, identity = tokens()
    assert verifier(NOW + 3600 + 10).verify(access, identity)  # within the 30 s leeway
    assert refused(access, identity, now=NOW + 3600 + 31) == "expired"


def test_a_token_without_expiry_or_subject_is_refused():
    assert "exp" in refused(*tokens(drop=("exp",)))
    assert "sub" in refused(*tokens(drop=("sub",)))


def test_the_id_token_must_be_the_same_persons():
    assert refused(*tokens(identity={"sub": "sub-2"})) == "the id token is someone else's"


def test_garbage_is_refused():
    assert "not a JWT" in refused("not-a-token", "nor-this")


def test_the_keys_come_from_the_endpoint_when_one_is_set(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_COGNITO_IDP", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert jwks_url(REGION, POOL) == f"https://cognito-idp.eu-west-2.amazonaws.com/{POOL}/.well-known/jwks.json"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/")
    assert jwks_url(REGION, POOL) == f"http://127.0.0.1:5000/{POOL}/.well-known/jwks.json"
