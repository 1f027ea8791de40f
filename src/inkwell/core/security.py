"""Password hashing (Argon2id, off the event loop), JWT access tokens and refresh-token secrets."""

from __future__ import annotations

import hashlib
import secrets
import uuid
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

        With no stored hash (unknown user) a dummy hash is checked, so both cases take as long.
        """
        target = stored_hash or self._dummy_hash
        valid, upgraded = await anyio.to_thread.run_sync(
            self._verify_sync, password, target, limiter=self._limiter
        )
        return (valid and stored_hash is not None), upgraded

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


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    token_version: int
    session_id: uuid.UUID | None
    jti: str
    expires_at: datetime


class TokenCodec:
    """Issues and checks access tokens against a server-side algorithm allow-list."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.jwt_secret.get_secret_value()
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl = timedelta(seconds=settings.access_token_ttl_seconds)

    def issue(self, *, user_id: uuid.UUID, token_version: int, session_id: uuid.UUID | None) -> str:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": secrets.token_hex(16),
            "typ": ACCESS_TOKEN_TYPE,
            "ver": token_version,
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        return jwt.encode(
            claims, self._key, algorithm=self._algorithm, headers={"typ": JWT_HEADER_TYPE}
        )

    def decode(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=JWT_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "jti", "typ"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if header.get("typ") != JWT_HEADER_TYPE or payload.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        return _claims(payload)


def _claims(payload: dict[str, Any]) -> AccessClaims:
    try:
        session = payload.get("sid")
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            token_version=int(payload.get("ver", -1)),
            session_id=uuid.UUID(session) if session else None,
            jti=str(payload["jti"]),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidToken("malformed claims") from exc


def new_refresh_token() -> str:
    """An opaque refresh token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
