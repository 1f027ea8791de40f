"""Logins, token rotation with reuse detection, sessions, and checking access tokens."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from inkwell.auth.exceptions import (
    AccountDisabled,
    InvalidAccessToken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    SessionNotFound,
)
from inkwell.auth.repository import AccountRepository, SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.config import Settings
from inkwell.core.security import (
    API_KEY_PREFIX,
    InvalidToken,
    PasswordHasher,
    SessionKind,
    TokenCodec,
    hash_refresh_token,
    hash_secret,
    new_refresh_token,
)
from inkwell.models.user import User, UserSession

log = logging.getLogger("inkwell.auth")

# A key's last use is recorded at most this often, so using a key costs no write per request.
KEY_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID
    user: User  # whom the tokens were issued to


@dataclass(frozen=True, slots=True)
class RealWorldSignIn:
    """A RealWorld login: one token, bound to its session, and no refresh token."""

    token: str
    session_id: uuid.UUID
    user: User


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request and the login session its token belongs to, or the API
    key it sent (no session; `scopes` limits what the key may do, None: no limit)."""

    user: User
    session_id: uuid.UUID | None
    scopes: frozenset[str] | None = None
    api_key_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class KeyUse:
    """An API key's caller, the key, and whether its last use should be recorded."""

    principal: Principal
    key_id: uuid.UUID
    stale: bool


class AuthService:
    def __init__(
        self,
        *,
        sessions: SessionRepository,
        users: AccountRepository,
        hasher: PasswordHasher,
        codec: TokenCodec,
        throttle: Throttle,
        settings: Settings,
    ) -> None:
        self.sessions = sessions
        self.users = users
        self.hasher = hasher
        self.codec = codec
        self.throttle = throttle
        self.settings = settings

    async def login(self, *, login: str, password: str, client: ClientInfo) -> TokenPair:
        """Check a username-or-email and password and start a new /api/v1 session."""
        user = await self._check_credentials(login, password, client)
        return await self.start_session(user=user, client=client)

    async def realworld_login(
        self, *, login: str, password: str, client: ClientInfo
    ) -> RealWorldSignIn:
        """Check a username-or-email and password and start a new RealWorld session."""
        user = await self._check_credentials(login, password, client)
        return await self.start_realworld_session(user=user, client=client)

    async def _check_credentials(self, login: str, password: str, client: ClientInfo) -> User:
        await self.throttle.check(
            "login", ip=client.ip, limit=self.settings.rate_limit_login_per_ip
        )
        user = await self.users.get_by_login(login)
        await self.throttle.check_account(
            "login",
            account=user.id if user else login,
            limit=self.settings.rate_limit_login_per_account,
            ip=client.ip,
        )
        valid, upgraded = await self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not valid:
            log.warning("login failed", extra={"ip": client.ip, "user_id": user and str(user.id)})
            raise InvalidCredentials
        if not user.is_active:
            log.warning("login refused: disabled", extra={"ip": client.ip, "user_id": str(user.id)})
            raise AccountDisabled("This account has been disabled.")
        changes: dict[str, object] = {"last_login_at": datetime.now(UTC)}
        if upgraded:
            changes["password_hash"] = upgraded
        await self.users.set_fields(user, changes)
        log.info("login succeeded", extra={"ip": client.ip, "user_id": str(user.id)})
        return user

    async def start_session(self, *, user: User, client: ClientInfo) -> TokenPair:
        """Open a login session for a user whose identity is already proven."""
        expires_at = datetime.now(UTC) + timedelta(days=self.settings.refresh_token_ttl_days)
        login = await self.sessions.create_session(
            user_id=user.id,
            kind=SessionKind.API,
            user_agent=client.user_agent,
            ip=client.ip,
            expires_at=expires_at,
        )
        return await self._issue_pair(user, login, client)

    async def start_realworld_session(self, *, user: User, client: ClientInfo) -> RealWorldSignIn:
        """Open a RealWorld session for a user whose identity is already proven: its one token
        lives as long as the session (RealWorld clients cannot refresh), and every request
        checks the session, so ending it ends the token at once."""
        lifetime = self.codec.lifetimes[SessionKind.REALWORLD]
        login = await self.sessions.create_session(
            user_id=user.id,
            kind=SessionKind.REALWORLD,
            user_agent=client.user_agent,
            ip=client.ip,
            expires_at=datetime.now(UTC) + lifetime,
        )
        token = self.codec.issue(
            user_id=user.id,
            token_version=user.token_version,
            session_id=login.id,
            kind=SessionKind.REALWORLD,
        )
        return RealWorldSignIn(token=token, session_id=login.id, user=user)

    async def refresh(self, *, refresh_token: str, client: ClientInfo) -> TokenPair:
        """Rotate a refresh token; presenting an already-rotated one revokes its whole family."""
        await self.throttle.check(
            "refresh", ip=client.ip, limit=self.settings.rate_limit_refresh_per_ip
        )
        token_hash = hash_refresh_token(refresh_token)
        token = await self.sessions.consume_token(token_hash)
        if token is None:
            await self._refuse_unusable(token_hash, client)
            raise InvalidRefreshToken
        login = await self.sessions.get_active_session(token.family_id)
        user = await self.users.get(token.user_id)
        if login is None or user is None or not user.is_active:
            raise InvalidRefreshToken
        await self.sessions.touch_session(login.id)
        return await self._issue_pair(user, login, client)

    async def _refuse_unusable(self, token_hash: bytes, client: ClientInfo) -> None:
        known = await self.sessions.find_token(token_hash)
        if known is not None and known.revoked_at is not None:
            await self.sessions.revoke_session(known.family_id)
            log.warning(
                "refresh token reuse: session revoked",
                extra={
                    "ip": client.ip,
                    "user_id": str(known.user_id),
                    "session_id": str(known.family_id),
                },
            )
            raise RefreshTokenReused("This refresh token was already used; the session is ended.")

    async def _issue_pair(self, user: User, login: UserSession, client: ClientInfo) -> TokenPair:
        refresh_token = new_refresh_token()
        await self.sessions.add_token(
            token_hash=hash_refresh_token(refresh_token),
            login=login,
            user_agent=client.user_agent,
            ip=client.ip,
        )
        access = self.codec.issue(
            user_id=user.id, token_version=user.token_version, session_id=login.id
        )
        return TokenPair(
            access_token=access,
            refresh_token=refresh_token,
            expires_in=int(self.codec.lifetimes[SessionKind.API].total_seconds()),
            session_id=login.id,
            user=user,
        )

    async def logout(self, *, refresh_token: str) -> None:
        """End the session the refresh token belongs to; unknown tokens are ignored."""
        known = await self.sessions.find_token(hash_refresh_token(refresh_token))
        if known is not None:
            await self.sessions.revoke_session(known.family_id)

    async def logout_all(self, *, user: User) -> None:
        """End every session of the user and invalidate their access tokens."""
        await self.sessions.revoke_all_sessions(user.id)
        await self.users.bump_token_version(user.id)

    async def list_sessions(self, *, user: User) -> Sequence[UserSession]:
        """The user's active login sessions, most recently used first."""
        return await self.sessions.list_active_sessions(user.id)

    async def end_session(self, *, user: User, session_id: uuid.UUID) -> None:
        """End one of the user's own sessions."""
        if not await self.sessions.revoke_session(session_id, user_id=user.id):
            raise SessionNotFound

    async def authenticate(
        self, access_token: str, *, kinds: Collection[SessionKind] = (SessionKind.API,)
    ) -> Principal:
        """Check a token of one of `kinds` against the database's current state of its user
        and its session (which must be of the token's kind and still active)."""
        try:
            claims = self.codec.decode(access_token, kinds=kinds)
        except InvalidToken as exc:
            raise InvalidAccessToken from exc
        user, session_active = await self.sessions.get_principal(
            claims.user_id, claims.session_id, claims.kind
        )
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise InvalidAccessToken
        if not session_active:
            raise InvalidAccessToken
        return Principal(user=user, session_id=claims.session_id)

    async def authenticate_key(self, token: str) -> KeyUse:
        """Check an API key: unrevoked, unexpired, and its owner's account live and active.
        Every failure is the same 401 as a bad access token."""
        if not token.startswith(API_KEY_PREFIX):
            raise InvalidAccessToken
        found = await self.sessions.get_key_owner(hash_secret(token))
        if found is None or not found[1].is_active:
            raise InvalidAccessToken
        key, user = found
        last_used = key.last_used_at
        stale = last_used is None or datetime.now(UTC) - last_used >= KEY_USE_RESOLUTION
        principal = Principal(
            user=user, session_id=None, scopes=frozenset(key.scopes), api_key_id=key.id
        )
        return KeyUse(principal=principal, key_id=key.id, stale=stale)

    async def record_key_use(self, key_id: uuid.UUID, *, ip: str | None) -> None:
        """Note when and from where a key was last used (at most once per resolution)."""
        await self.sessions.touch_key(key_id, ip=ip, older_than=KEY_USE_RESOLUTION)
