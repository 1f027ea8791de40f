"""Password hashing (Argon2id, off the event loop), JWT access tokens and refresh-token secrets."""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import jwt
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from inkwell.core.config import Settings

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 (a claim value, not a secret)
JWT_HEADER_TYPE = "at+jwt"
BCRYPT_MAX_BYTES = 72
JWT_LEEWAY_SECONDS = 30
# OWASP's minimum Argon2id profile: 19 MiB, 2 iterations, 1 lane.
ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES = 19_456, 2, 1


def argon2_hasher() -> Argon2Hasher:
    return Argon2Hasher(
        memory_cost=ARGON2_MEMORY_KIB, time_cost=ARGON2_ITERATIONS, parallelism=ARGON2_LANES
    )


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of the wrong kind."""


# The stored hash of an account that has no password yet (imported accounts): no password
# matches it, and checking one takes as long as checking a real hash (the dummy is checked).
UNUSABLE_PASSWORD = "!"  # noqa: S105 (a marker, not a password)


class PasswordHasher:
    """Argon2id hashing in worker threads with bounded concurrency; bcrypt accepted for imports."""

    def __init__(self, concurrency: int) -> None:
        self._hash = PasswordHash((argon2_hasher(), BcryptHasher()))
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._dummy_hash = self._hash.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, password, limiter=self._limiter)

    async def verify(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        """Check a password; returns (valid, new hash when the stored one should be upgraded).

        With no stored hash (unknown user) or an unusable one (an imported account) a dummy
        hash is checked, so every case takes as long.
        """
        usable = stored_hash is not None and stored_hash != UNUSABLE_PASSWORD
        target = stored_hash if usable and stored_hash else self._dummy_hash
        valid, upgraded = await anyio.to_thread.run_sync(
            self._verify_sync, password, target, limiter=self._limiter
        )
        return (valid and usable), upgraded

    def _verify_sync(self, password: str, stored_hash: str) -> tuple[bool, str | None]:
        if stored_hash.startswith(("$2a$", "$2b$", "$2y$")):
            # Imported bcrypt hashes saw at most 72 bytes of the password when they were made.
            legacy = password.encode()[:BCRYPT_MAX_BYTES]
            valid = self._hash.verify(legacy, stored_hash)
            return valid, (self._hash.hash(password) if valid else None)
        try:
            return self._hash.verify_and_update(password, stored_hash)
        except (ValueError, UnknownHashError):  # an unreadable stored hash never matches
            return False, None


class SessionKind(enum.StrEnum):
    """Which API a login session serves; its tokens name the kind in their `typ` claim."""

    API = "api"  # /api/v1: short access tokens, renewed with refresh tokens
    REALWORLD = "realworld"  # /api (RealWorld): one longer-lived token, no refresh


# The `typ` claim of each kind's tokens (`access`, as /api/v1 tokens always said).
_TOKEN_TYPES = {SessionKind.API: ACCESS_TOKEN_TYPE, SessionKind.REALWORLD: "realworld"}
_KINDS = {claim: kind for kind, claim in _TOKEN_TYPES.items()}
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud", "jti", "typ", "sid"]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    token_version: int
    session_id: uuid.UUID
    kind: SessionKind
    jti: str
    expires_at: datetime


class TokenCodec:
    """Issues and checks access tokens against a server-side algorithm allow-list.

    Each kind of token has its own lifetime, and a token that claims to live longer than its
    kind may is refused: were the key to leak, forged tokens would still not outlive it.
    """

    def __init__(self, settings: Settings) -> None:
        self._key = settings.jwt_secret.get_secret_value()
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.lifetimes = {
            SessionKind.API: timedelta(seconds=settings.access_token_ttl_seconds),
            SessionKind.REALWORLD: timedelta(hours=settings.realworld_token_ttl_hours),
        }

    def issue(
        self,
        *,
        user_id: uuid.UUID,
        token_version: int,
        session_id: uuid.UUID,
        kind: SessionKind = SessionKind.API,
        now: datetime | None = None,
    ) -> str:
        """A token of the session; `now` is the issue time (a fixed one in tests)."""
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.lifetimes[kind],
            "jti": secrets.token_hex(16),
            "typ": _TOKEN_TYPES[kind],
            "ver": token_version,
            "sid": str(session_id),
        }
        return jwt.encode(
            claims, self._key, algorithm=self._algorithm, headers={"typ": JWT_HEADER_TYPE}
        )

    def decode(
        self, token: str, *, kinds: Collection[SessionKind] = (SessionKind.API,)
    ) -> AccessClaims:
        """The claims of a valid token of one of `kinds`; InvalidToken otherwise."""
        try:
            header = jwt.get_unverified_header(token)
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=JWT_LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        claimed = payload.get("typ")
        kind = _KINDS.get(claimed) if isinstance(claimed, str) else None
        if header.get("typ") != JWT_HEADER_TYPE or kind is None or kind not in kinds:
            raise InvalidToken("not an access token of this API")
        claims = _claims(payload, kind)
        if _lifetime(payload) > self.lifetimes[claims.kind].total_seconds():
            raise InvalidToken("lives longer than its kind may")
        return claims


def _lifetime(payload: dict[str, Any]) -> float:
    # PyJWT has read both as integers already (it refuses a token where it cannot).
    return float(payload["exp"]) - float(payload["iat"])


def _claims(payload: dict[str, Any], kind: SessionKind) -> AccessClaims:
    try:
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            token_version=int(payload.get("ver", -1)),
            session_id=uuid.UUID(payload["sid"]),
            kind=kind,
            jti=str(payload["jti"]),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidToken("malformed claims") from exc


def new_refresh_token() -> str:
    """An opaque refresh token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


API_KEY_PREFIX = "ink_"  # tells an API key from a JWT at a glance (and to log redaction)


def new_api_key() -> str:
    """An API key: the prefix and 256 bits of randomness."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    """The SHA-256 a high-entropy secret is stored and looked up as."""
    return hashlib.sha256(secret.encode()).digest()
