"""The blocks service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.blocks.repository import BlockRepository
from inkwell.blocks.service import BlockService
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.outbox import Outbox
from inkwell.users.repository import UserRepository


async def block_service(session: SessionDep, state: StateDep) -> BlockService:
    return BlockService(
        blocks=BlockRepository(session),
        users=UserRepository(session),
        events=Outbox(session, state.settings),
    )


BlockServiceDep = Annotated[BlockService, Depends(block_service)]
