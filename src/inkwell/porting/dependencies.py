"""The porting service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.core.queue import JobQueue
from inkwell.porting.files import archive_storage
from inkwell.porting.repository import JobRepository
from inkwell.porting.service import PortingService


async def porting_service(session: SessionDep, state: StateDep) -> PortingService:
    return PortingService(
        jobs=JobRepository(session),
        queue=JobQueue(session),
        storage=archive_storage(state.settings),
        settings=state.settings,
    )


PortingServiceDep = Annotated[PortingService, Depends(porting_service)]
