"""GET /health/live and /health/ready."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import StateDep
from inkwell.core.errors import ServiceUnavailable
from inkwell.core.migrations import current_revision, head_revision

router = APIRouter(prefix="/health", tags=["health"], route_class=SessionRoute)


class Health(BaseModel):
    status: Literal["ok"]
    database: str | None = None


@router.get("/live")
async def live() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/ready",
    responses={503: {"description": "Shutting down, or database unreachable or not migrated"}},
)
async def ready(state: StateDep) -> Health:
    """The process is not shutting down, the database is reachable and its schema is at the
    newest migration."""
    if state.drain.draining:
        raise ServiceUnavailable("The process is shutting down.")
    try:
        async with state.engine.connect() as connection:
            revision = await current_revision(connection)
    except Exception as exc:
        raise ServiceUnavailable("The database is unreachable.") from exc
    if revision != head_revision():
        raise ServiceUnavailable(f"The database schema is at {revision}, not {head_revision()}.")
    return Health(status="ok", database=revision)
