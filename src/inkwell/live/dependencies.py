"""What live routes need: the service over the request's session, and this process's runtime."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.live.repository import LiveRepository
from inkwell.live.runtime import LiveRuntime
from inkwell.live.service import LiveService


async def live_service(session: SessionDep, state: StateDep) -> LiveService:
    ttl = state.settings.live_ticket_ttl_seconds
    return LiveService(live=LiveRepository(session), ticket_ttl_seconds=ttl)


async def live_runtime(request: Request) -> LiveRuntime:
    runtime: LiveRuntime = request.app.state.live
    return runtime


LiveServiceDep = Annotated[LiveService, Depends(live_service)]
LiveRuntimeDep = Annotated[LiveRuntime, Depends(live_runtime)]
