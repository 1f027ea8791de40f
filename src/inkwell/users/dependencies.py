"""The accounts service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.auth.repository import SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.outbox import Outbox
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
    )


UserServiceDep = Annotated[UserService, Depends(user_service)]
