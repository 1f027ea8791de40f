"""The follows service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.blocks.repository import BlockRepository
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.outbox import Outbox
from inkwell.follows.repository import FollowRepository
from inkwell.follows.service import FollowService
from inkwell.users.repository import UserRepository


async def follow_service(session: SessionDep, state: StateDep) -> FollowService:
    return FollowService(
        follows=FollowRepository(session),
        users=UserRepository(session),
        blocks=BlockRepository(session),
        events=Outbox(session, state.settings),
    )


FollowServiceDep = Annotated[FollowService, Depends(follow_service)]
