"""The notifications service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.notifications.repository import NotificationRepository
from inkwell.notifications.service import NotificationService


async def notification_service(session: SessionDep) -> NotificationService:
    return NotificationService(notifications=NotificationRepository(session))


NotificationServiceDep = Annotated[NotificationService, Depends(notification_service)]
