"""HTTP endpoints of follows (/api/v1/users/{username}/follow, /followers, /following)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.openapi import errors
from inkwell.follows.dependencies import FollowServiceDep
from inkwell.follows.schemas import ProfileList
from inkwell.users.schemas import Profile

router = APIRouter(prefix="/users/{username}", tags=["follows"], route_class=SessionRoute)


Username = Annotated[str, Path(max_length=30)]


@router.put(
    "/follow", responses=errors(401, 403, 404, 422), openapi_extra=needs(Scope.PROFILE_WRITE)
)
async def follow(username: Username, user: CurrentUser, service: FollowServiceDep) -> Profile:
    """Follow an account (following twice is still one follow); answers its profile."""
    return Profile.from_record(await service.follow(username=username, user=user))


@router.delete("/follow", responses=errors(401, 404), openapi_extra=needs(Scope.PROFILE_WRITE))
async def unfollow(username: Username, user: CurrentUser, service: FollowServiceDep) -> Profile:
    """Stop following an account; answers its profile."""
    return Profile.from_record(await service.unfollow(username=username, user=user))


@router.get("/followers", responses=errors(404, 422))
async def followers(
    username: Username, service: FollowServiceDep, page: Page = 1, page_size: PageSize = 20
) -> ProfileList:
    """Who follows this account, most recent first."""
    found = await service.people(
        side="followers", username=username, page=page, page_size=page_size
    )
    return ProfileList.from_page(found)


@router.get("/following", responses=errors(404, 422))
async def following(
    username: Username, service: FollowServiceDep, page: Page = 1, page_size: PageSize = 20
) -> ProfileList:
    """Whom this account follows, most recent first."""
    found = await service.people(
        side="following", username=username, page=page, page_size=page_size
    )
    return ProfileList.from_page(found)
