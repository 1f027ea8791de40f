"""The series service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.posts.repository import PostRepository
from inkwell.series.repository import SeriesRepository
from inkwell.series.service import SeriesService


async def series_service(session: SessionDep) -> SeriesService:
    return SeriesService(series=SeriesRepository(session), posts=PostRepository(session))


SeriesServiceDep = Annotated[SeriesService, Depends(series_service)]
