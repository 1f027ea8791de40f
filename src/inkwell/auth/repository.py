"""Every query on login sessions and refresh tokens, and the account queries sign-in needs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.security import SessionKind
from inkwell.models.api_key import ApiKey
from inkwell.models.user import RefreshToken, User, UserSession


class AccountRepository:
    """The accounts as authentication reads and writes them; users.repository adds the rest."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """A live (not deleted) account by id."""
        return await self.session.scalar(
            select(User).where(User.id == user_id, User.deleted_at.is_(None))
        )

    async def get_by_login(self, login: str) -> User | None:
        """A live account by username (any case) or e-mail."""
        return await self.session.scalar(
            select(User).where(
                or_(func.lower(User.username) == login.lower(), User.email == login.lower()),
                User.deleted_at.is_(None),
            )
        )

    async def set_fields(self, user: User, values: Mapping[str, Any]) -> list[str]:
        """Set these fields and flush; the names of those whose value changed."""
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name, value in values.items():
            setattr(user, name, value)
        await self.flush()
        return changed

    async def flush(self) -> None:
        await self.session.flush()

    async def bump_token_version(self, user_id: uuid.UUID) -> None:
        """Invalidate every access token issued to the user so far."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(token_version=User.token_version + 1)
            .execution_options(synchronize_session="fetch")
        )


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_session(
        self,
        *,
        user_id: uuid.UUID,
        kind: SessionKind,
        user_agent: str | None,
        ip: str | None,
        expires_at: datetime,
    ) -> UserSession:
        login = UserSession(
            user_id=user_id, kind=kind, user_agent=user_agent, ip=ip, expires_at=expires_at
        )
        self.session.add(login)
        await self.session.flush()
        return login

    async def add_token(
        self, *, token_hash: bytes, login: UserSession, user_agent: str | None, ip: str | None
    ) -> None:
        self.session.add(
            RefreshToken(
                token_hash=token_hash,
                user_id=login.user_id,
                family_id=login.id,
                user_agent=user_agent,
                ip=ip,
                expires_at=login.expires_at,
            )
        )
        await self.session.flush()

    async def consume_token(self, token_hash: bytes) -> RefreshToken | None:
        """Mark an unused, unexpired token used, atomically; None when it was not usable."""
        return await self.session.scalar(
            update(RefreshToken)
            .where(
                RefreshToken.token_hash == token_hash,
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > func.now(),
            )
            .values(revoked_at=func.now())
            .returning(RefreshToken)
        )

    async def find_token(self, token_hash: bytes) -> RefreshToken | None:
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )

    async def get_active_session(self, session_id: uuid.UUID) -> UserSession | None:
        return await self.session.scalar(
            select(UserSession).where(
                UserSession.id == session_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > func.now(),
            )
        )

    async def touch_session(self, session_id: uuid.UUID) -> None:
        await self.session.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_used_at=func.now())
        )

    async def list_active_sessions(self, user_id: uuid.UUID) -> Sequence[UserSession]:
        result = await self.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > func.now(),
            )
            .order_by(UserSession.last_used_at.desc())
        )
        return result.all()

    async def revoke_session(
        self, session_id: uuid.UUID, *, user_id: uuid.UUID | None = None
    ) -> bool:
        """End one login and every refresh token of it; False when there was none to end."""
        query = update(UserSession).where(
            UserSession.id == session_id, UserSession.revoked_at.is_(None)
        )
        if user_id is not None:
            query = query.where(UserSession.user_id == user_id)
        ended = await self.session.scalar(
            query.values(revoked_at=func.now()).returning(UserSession.id)
        )
        await self._revoke_tokens(RefreshToken.family_id == session_id)
        return ended is not None

    async def revoke_all_sessions(
        self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
    ) -> None:
        """End every login of the user, except `keep` when given."""
        query = update(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
        tokens = RefreshToken.user_id == user_id
        if keep is not None:
            query = query.where(UserSession.id != keep)
            tokens = tokens & (RefreshToken.family_id != keep)
        await self.session.execute(query.values(revoked_at=func.now()))
        await self._revoke_tokens(tokens)

    async def _revoke_tokens(self, condition: object) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(condition, RefreshToken.revoked_at.is_(None))  # type: ignore[arg-type]
            .values(revoked_at=func.now())
        )

    async def get_principal(
        self, user_id: uuid.UUID, session_id: uuid.UUID, kind: SessionKind
    ) -> tuple[User | None, bool]:
        """The live user and whether the given session of this kind is still active, in one
        query."""
        active = (
            select(UserSession.id)
            .where(
                UserSession.id == session_id,
                UserSession.user_id == user_id,
                UserSession.kind == kind,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > func.now(),
            )
            .exists()
        )
        row = (
            await self.session.execute(
                select(User, active).where(User.id == user_id, User.deleted_at.is_(None))
            )
        ).first()
        return (None, False) if row is None else (row[0], bool(row[1]))

    async def get_key_owner(self, secret_hash: bytes) -> tuple[ApiKey, User] | None:
        """A live key (unrevoked, unexpired) by the hash of its secret, with its live owner,
        in one query."""
        row = (
            await self.session.execute(
                select(ApiKey, User)
                .join(User, User.id == ApiKey.user_id)
                .where(
                    ApiKey.secret_hash == secret_hash,
                    ApiKey.revoked_at.is_(None),
                    or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now()),
                    User.deleted_at.is_(None),
                )
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def touch_key(self, key_id: uuid.UUID, *, ip: str | None, older_than: timedelta) -> None:
        """Record a key's use, unless another request recorded one within `older_than`."""
        await self.session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < func.now() - older_than),
            )
            .values(last_used_at=func.now(), last_used_ip=ip)
            .execution_options(synchronize_session=False)
        )
