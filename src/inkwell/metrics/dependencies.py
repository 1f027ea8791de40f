"""The metrics service over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.metrics.repository import MetricsRepository
from inkwell.metrics.service import MetricsService


async def metrics_service(session: SessionDep, state: StateDep) -> MetricsService:
    return MetricsService(repository=MetricsRepository(session), settings=state.settings)


MetricsServiceDep = Annotated[MetricsService, Depends(metrics_service)]
