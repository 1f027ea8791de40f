"""Administrative entry points used outside HTTP requests (the CLI)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.auth.repository import SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.config import Settings
from inkwell.core.ratelimit import MemoryRateLimiter
from inkwell.core.security import PasswordHasher
from inkwell.events.outbox import Outbox
from inkwell.users.mailing import AccountMail
from inkwell.users.repository import UserRepository
from inkwell.users.schemas import RegisterRequest
from inkwell.users.service import UserService


async def make_admin(
    session: AsyncSession, settings: Settings, *, email: str, username: str, password: str
) -> str:
    """Create or promote an admin; the input passes the same checks as registration."""
    data = RegisterRequest(email=email, username=username, password=password)
    service = UserService(
        users=UserRepository(session),
        sessions=SessionRepository(session),
        hasher=PasswordHasher(1),
        throttle=Throttle(MemoryRateLimiter(), settings),
        settings=settings,
        events=Outbox(session, settings),
        mail=AccountMail.over(session, settings),
    )
    user = await service.create_or_promote_admin(
        email=data.email, username=data.username, password=data.password
    )
    return user.username
