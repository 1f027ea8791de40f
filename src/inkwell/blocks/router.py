"""HTTP endpoints of blocks and mutes (/api/v1/users/{username}/block, /mute, and
/api/v1/users/me/blocks, /mutes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.blocks.dependencies import BlockServiceDep
from inkwell.blocks.schemas import BlockedList
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.openapi import errors

router = APIRouter(prefix="/users", tags=["blocks"], route_class=SessionRoute)

Username = Annotated[str, Path(max_length=30)]
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/me/blocks", responses=errors(401, 422), openapi_extra=needs(Scope.PROFILE_READ))
async def my_blocks(
    user: CurrentUser, service: BlockServiceDep, page: Page = 1, page_size: PageSize = 20
) -> BlockedList:
    """The accounts you blocked, most recent first."""
    found = await service.listed("block", user=user, page=page, page_size=page_size)
    return BlockedList.from_page(found)


@router.get("/me/mutes", responses=errors(401, 422), openapi_extra=needs(Scope.PROFILE_READ))
async def my_mutes(
    user: CurrentUser, service: BlockServiceDep, page: Page = 1, page_size: PageSize = 20
) -> BlockedList:
    """The accounts you muted, most recent first."""
    found = await service.listed("mute", user=user, page=page, page_size=page_size)
    return BlockedList.from_page(found)


@router.put(
    "/{username}/block",
    status_code=NO_CONTENT,
    responses=errors(401, 404, 422),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def block(username: Username, user: CurrentUser, service: BlockServiceDep) -> None:
    """Block an account: it can no longer comment on your posts, reply to your comments,
    follow you (its follow ends) or notify you."""
    await service.block(username=username, user=user)


@router.delete(
    "/{username}/block",
    status_code=NO_CONTENT,
    responses=errors(401, 404, 422),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def unblock(username: Username, user: CurrentUser, service: BlockServiceDep) -> None:
    """Unblock an account."""
    await service.lift("block", username=username, user=user)


@router.put(
    "/{username}/mute",
    status_code=NO_CONTENT,
    responses=errors(401, 404, 422),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def mute(username: Username, user: CurrentUser, service: BlockServiceDep) -> None:
    """Mute an account: no notifications from it; everything else stays allowed."""
    await service.mute(username=username, user=user)


@router.delete(
    "/{username}/mute",
    status_code=NO_CONTENT,
    responses=errors(401, 404, 422),
    openapi_extra=needs(Scope.PROFILE_WRITE),
)
async def unmute(username: Username, user: CurrentUser, service: BlockServiceDep) -> None:
    """Unmute an account."""
    await service.lift("mute", username=username, user=user)
