"""FastAPI providers of the operations views: the service a route needs, built per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.repository import OutboxRepository
from inkwell.operations.service import OutboxService


async def outbox_service(session: SessionDep, state: StateDep) -> OutboxService:
    return OutboxService(OutboxRepository(session), state.settings)


OutboxServiceDep = Annotated[OutboxService, Depends(outbox_service)]
