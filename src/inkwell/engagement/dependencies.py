"""The engagement service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.engagement.repository import EngagementRepository
from inkwell.engagement.service import EngagementService
from inkwell.events.outbox import Outbox
from inkwell.posts.dependencies import make_post_service
from inkwell.users.repository import UserRepository


async def engagement_service(session: SessionDep, state: StateDep) -> EngagementService:
    return EngagementService(
        engagement=EngagementRepository(session),
        posts=make_post_service(session, state.settings),
        events=Outbox(session, state.settings),
        users=UserRepository(session),
        view_key=state.settings.view_hash_key,
    )


EngagementServiceDep = Annotated[EngagementService, Depends(engagement_service)]
