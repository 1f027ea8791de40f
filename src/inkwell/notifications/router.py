"""HTTP endpoints of notifications (/api/v1/notifications) and their settings
(/api/v1/users/me/notification-settings)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import PageSize, StateDep
from inkwell.core.openapi import errors
from inkwell.notifications.dependencies import NotificationServiceDep
from inkwell.notifications.schemas import (
    NotificationList,
    NotificationSettings,
    NotificationSettingsUpdate,
    UnreadCount,
    Unsubscribed,
)

router = APIRouter(prefix="/notifications", tags=["notifications"], route_class=SessionRoute)
settings_router = APIRouter(
    prefix="/users/me/notification-settings", tags=["notifications"], route_class=SessionRoute
)
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("", responses=errors(401, 422), openapi_extra=needs(Scope.PROFILE_READ))
async def list_notifications(
    user: CurrentUser,
    service: NotificationServiceDep,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    unread: bool = False,
    limit: PageSize = 20,
) -> NotificationList:
    """Your notifications, latest activity first; `unread=true` for the unread ones only,
    `cursor` (a page's `next_cursor`) for the next page."""
    found = await service.page(user=user, cursor=cursor, unread=unread, limit=limit)
    return NotificationList.from_page(found)


@router.get("/unread-count", responses=errors(401), openapi_extra=needs(Scope.PROFILE_READ))
async def unread_count(user: CurrentUser, service: NotificationServiceDep) -> UnreadCount:
    """How many of your notifications are unread."""
    return UnreadCount(unread=await service.unread_count(user=user))


@router.post(
    "/read-all",
    status_code=NO_CONTENT,
    responses=errors(401),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def read_all(user: CurrentUser, service: NotificationServiceDep) -> None:
    """Mark all your notifications read."""
    await service.mark_all_read(user=user)


@router.post("/unsubscribe", responses=errors(400, 422))
async def unsubscribe(
    token: Annotated[str, Query(min_length=1, max_length=200)],
    service: NotificationServiceDep,
    state: StateDep,
) -> Unsubscribed:
    """Stop the e-mail an unsubscribe link names: the link of a notification mail stops its
    kind, a digest's every kind. No sign-in: the link is the proof. This is the one-click
    target of the mails' `List-Unsubscribe` header (RFC 8058), which mail clients POST with
    the body `List-Unsubscribe=One-Click`; any body is accepted."""
    kinds = await service.unsubscribe(token=token, settings=state.settings)
    return Unsubscribed(unsubscribed=kinds)


@router.post(
    "/{notification_id}/read",
    status_code=NO_CONTENT,
    responses=errors(401, 404, 422),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def read(
    notification_id: uuid.UUID, user: CurrentUser, service: NotificationServiceDep
) -> None:
    """Mark one of your notifications read."""
    await service.mark_read(user=user, notification_id=notification_id)


@settings_router.get("", responses=errors(401), openapi_extra=needs(Scope.PROFILE_READ))
async def get_settings(user: CurrentUser, service: NotificationServiceDep) -> NotificationSettings:
    """Your settings per kind of notification: in the app, and by e-mail."""
    return NotificationSettings.of(await service.preferences(user=user))


@settings_router.put("", responses=errors(401, 422), openapi_extra=needs(Scope.PROFILE_WRITE))
async def put_settings(
    body: NotificationSettingsUpdate, user: CurrentUser, service: NotificationServiceDep
) -> NotificationSettings:
    """Change the settings of the kinds given (the others keep theirs); answers them all."""
    return NotificationSettings.of(await service.choose(user=user, choices=body.choices()))
