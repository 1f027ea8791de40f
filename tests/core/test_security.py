from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt
import pytest

from inkwell.core.config import Settings
from inkwell.core.security import (
    InvalidToken,
    PasswordHasher,
    SessionKind,
    TokenCodec,
    hash_refresh_token,
    new_refresh_token,
)

SECRET = "k" * 48


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(Settings(_env_file=None, jwt_secret=SECRET))


def _claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "iss": "inkwell",
        "aud": "inkwell-api",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "j",
        "typ": "access",
        "ver": 0,
        "sid": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return claims


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, default=lambda d: int(d.timestamp()))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


async def test_argon2id_parameters_meet_the_policy(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("a long enough passphrase")
    algorithm, version, params, *_ = stored.lstrip("$").split("$")
    values = dict(pair.split("=") for pair in params.split(","))
    assert algorithm == "argon2id"
    assert version == "v=19"
    assert int(values["m"]) >= 19_456
    assert int(values["t"]) >= 2
    assert int(values["p"]) >= 1


async def test_verify_accepts_right_and_refuses_wrong(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("right password")
    assert await hasher.verify("right password", stored) == (True, None)
    assert (await hasher.verify("wrong password", stored))[0] is False
    assert (await hasher.verify("anything", None))[0] is False
    assert (await hasher.verify("anything", "not-a-hash"))[0] is False


async def test_bcrypt_hash_is_accepted_and_upgraded(hasher: PasswordHasher) -> None:
    legacy = bcrypt.hashpw(b"imported password", bcrypt.gensalt(rounds=4)).decode()
    valid, upgraded = await hasher.verify("imported password", legacy)
    assert valid
    assert upgraded is not None
    assert upgraded.startswith("$argon2id$")
    assert (await hasher.verify("imported password", upgraded))[0]


async def test_bcrypt_with_an_over_long_password_does_not_crash(hasher: PasswordHasher) -> None:
    password = "é" * 100  # 200 bytes
    legacy = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    valid, upgraded = await hasher.verify(password, legacy)
    assert valid
    assert upgraded is not None
    assert (await hasher.verify("wrong", legacy))[0] is False


def test_access_token_round_trip(codec: TokenCodec) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    claims = codec.decode(codec.issue(user_id=user_id, token_version=3, session_id=session_id))
    assert (claims.user_id, claims.token_version, claims.session_id) == (user_id, 3, session_id)


def test_realworld_token_round_trip_lives_its_own_lifetime(codec: TokenCodec) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = codec.issue(
        user_id=user_id, token_version=0, session_id=session_id, kind=SessionKind.REALWORLD
    )
    claims = codec.decode(token, kinds=(SessionKind.REALWORLD,))
    assert (claims.session_id, claims.kind) == (session_id, SessionKind.REALWORLD)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 24 * 3600
    assert payload["typ"] == "realworld"


def test_each_kind_of_token_is_accepted_only_where_asked_for(codec: TokenCodec) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    realworld = codec.issue(
        user_id=user_id, token_version=0, session_id=session_id, kind=SessionKind.REALWORLD
    )
    access = codec.issue(user_id=user_id, token_version=0, session_id=session_id)
    with pytest.raises(InvalidToken):
        codec.decode(realworld)  # /api/v1 asks for access tokens only
    with pytest.raises(InvalidToken):
        codec.decode(access, kinds=(SessionKind.REALWORLD,))


def test_a_token_without_a_session_is_refused(codec: TokenCodec) -> None:
    claims = {k: v for k, v in _claims().items() if k != "sid"}
    token = jwt.encode(claims, SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
    with pytest.raises(InvalidToken):
        codec.decode(token)


@pytest.mark.parametrize(
    ("typ", "kind", "lifetime"),
    [
        ("access", SessionKind.API, timedelta(minutes=15, seconds=1)),
        ("realworld", SessionKind.REALWORLD, timedelta(hours=24, seconds=1)),
    ],
)
def test_a_token_living_longer_than_its_kind_may_is_refused(
    codec: TokenCodec, typ: str, kind: SessionKind, lifetime: timedelta
) -> None:
    """Only a holder of the key could make one; it must still not outlive the setting."""
    now = datetime.now(UTC)
    claims = _claims(typ=typ, iat=now, exp=now + lifetime)
    token = jwt.encode(claims, SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
    every_kind = (SessionKind.API, SessionKind.REALWORLD)
    with pytest.raises(InvalidToken, match="longer"):
        codec.decode(token, kinds=every_kind)
    fitting = _claims(typ=typ, iat=now, exp=now + lifetime - timedelta(seconds=1))
    token = jwt.encode(fitting, SECRET, algorithm="HS256", headers={"typ": "at+jwt"})
    assert codec.decode(token, kinds=every_kind).kind == kind


def test_tampered_payload_is_refused(codec: TokenCodec) -> None:
    token = codec.issue(user_id=uuid.uuid4(), token_version=0, session_id=uuid.uuid4())
    header, _, signature = token.split(".")
    forged = f"{header}.{_b64(_claims(sub=str(uuid.uuid4())))}.{signature}"
    with pytest.raises(InvalidToken):
        codec.decode(forged)


def test_tampered_signature_is_refused(codec: TokenCodec) -> None:
    token = codec.issue(user_id=uuid.uuid4(), token_version=0, session_id=uuid.uuid4())
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidToken):
        codec.decode(flipped)


def test_alg_none_is_refused(codec: TokenCodec) -> None:
    header = _b64({"alg": "none", "typ": "at+jwt"})
    payload = _b64(_claims())
    with pytest.raises(InvalidToken):
        codec.decode(f"{header}.{payload}.")


@pytest.mark.parametrize(
    ("claims", "key", "algorithm", "header_type"),
    [
        (_claims(exp=datetime.now(UTC) - timedelta(minutes=2)), SECRET, "HS256", "at+jwt"),
        (_claims(aud="someone-else"), SECRET, "HS256", "at+jwt"),
        (_claims(iss="someone-else"), SECRET, "HS256", "at+jwt"),
        (_claims(typ="refresh"), SECRET, "HS256", "at+jwt"),
        (_claims(), SECRET, "HS256", "JWT"),
        (_claims(), SECRET * 2, "HS512", "at+jwt"),
        (_claims(), "another key of sufficient length!!", "HS256", "at+jwt"),
        ({k: v for k, v in _claims().items() if k != "exp"}, SECRET, "HS256", "at+jwt"),
        (_claims(sub="not-a-uuid"), SECRET, "HS256", "at+jwt"),
        (_claims(sid="not-a-uuid"), SECRET, "HS256", "at+jwt"),
        (_claims(sid=7), SECRET, "HS256", "at+jwt"),
        (_claims(typ=["access"]), SECRET, "HS256", "at+jwt"),
    ],
)
def test_bad_tokens_are_refused(
    codec: TokenCodec, claims: dict[str, object], key: str, algorithm: str, header_type: str
) -> None:
    token = jwt.encode(claims, key, algorithm=algorithm, headers={"typ": header_type})
    with pytest.raises(InvalidToken):
        codec.decode(token)


def test_keys_in_token_headers_are_ignored(codec: TokenCodec) -> None:
    attacker_key = "attacker-controlled-key-0123456789abcdef"
    token = jwt.encode(
        _claims(),
        attacker_key,
        algorithm="HS256",
        headers={
            "typ": "at+jwt",
            "jwk": {"kty": "oct", "k": attacker_key},
            "jku": "https://evil.example/keys",
        },
    )
    with pytest.raises(InvalidToken):
        codec.decode(token)


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    token = new_refresh_token()
    assert len(base64.urlsafe_b64decode(token + "==")) == 32
    assert token != new_refresh_token()
    digest = hash_refresh_token(token)
    assert len(digest) == 32
    assert token.encode() not in digest
