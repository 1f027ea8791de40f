"""GET /api/v1/admin/outbox: what the relay has not sent and what keeps failing (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors
from inkwell.operations.dependencies import OutboxServiceDep
from inkwell.operations.schemas import OutboxStatus

router = APIRouter(prefix="/admin/outbox", tags=["admin"], route_class=SessionRoute)


@router.get("", responses=errors(401, 403), openapi_extra=needs(Scope.ADMIN))
async def outbox_status(user: CurrentUser, service: OutboxServiceDep) -> OutboxStatus:
    """Events the relay has not sent to Kafka, those that keep failing (the first 20, with
    their last error and next try), and each in-process consumer's lag (admins only)."""
    return await service.status(user)
