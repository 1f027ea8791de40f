"""The accounts services a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.auth.repository import SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.outbox import Outbox
from inkwell.users.account_email import AccountEmailService
from inkwell.users.mailing import AccountMail
from inkwell.users.repository import UserRepository
from inkwell.users.service import UserService


async def user_service(session: SessionDep, state: StateDep) -> UserService:
    return UserService(
        users=UserRepository(session),
        sessions=SessionRepository(session),
        hasher=state.hasher,
        throttle=Throttle(state.limiter, state.settings),
        settings=state.settings,
        events=Outbox(session, state.settings),
        mail=AccountMail.over(session, state.settings),
    )


async def account_email_service(session: SessionDep, state: StateDep) -> AccountEmailService:
    return AccountEmailService(
        users=UserRepository(session),
        sessions=SessionRepository(session),
        hasher=state.hasher,
        throttle=Throttle(state.limiter, state.settings),
        settings=state.settings,
        events=Outbox(session, state.settings),
        mail=AccountMail.over(session, state.settings),
    )


UserServiceDep = Annotated[UserService, Depends(user_service)]
AccountEmailServiceDep = Annotated[AccountEmailService, Depends(account_email_service)]
