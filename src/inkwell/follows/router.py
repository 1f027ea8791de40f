"""HTTP endpoints of follows (/api/v1/users/{username}/follow, /followers, /following)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from inkwell.auth.dependencies import CurrentUser, StateDep
from inkwell.core.db import SessionDep, SessionRoute
from inkwell.core.openapi import errors
from inkwell.events.outbox import Outbox
from inkwell.follows.repository import FollowRepository
from inkwell.follows.schemas import ProfileList
from inkwell.follows.service import FollowService
from inkwell.posts.router import Page, PageSize
from inkwell.users.repository import UserRepository
from inkwell.users.schemas import Profile

router = APIRouter(prefix="/users/{username}", tags=["follows"], route_class=SessionRoute)


async def follow_service(session: SessionDep, state: StateDep) -> FollowService:
    return FollowService(
        follows=FollowRepository(session),
        users=UserRepository(session),
        events=Outbox(session, state.settings),
    )


ServiceDep = Annotated[FollowService, Depends(follow_service)]
Username = Annotated[str, Path(max_length=30)]


@router.put("/follow", responses=errors(401, 404, 422))
async def follow(username: Username, user: CurrentUser, service: ServiceDep) -> Profile:
    """Follow an account (following twice is still one follow); answers its profile."""
    return Profile.from_record(await service.follow(username=username, user=user))


@router.delete("/follow", responses=errors(401, 404))
async def unfollow(username: Username, user: CurrentUser, service: ServiceDep) -> Profile:
    """Stop following an account; answers its profile."""
    return Profile.from_record(await service.unfollow(username=username, user=user))


@router.get("/followers", responses=errors(404, 422))
async def followers(
    username: Username, service: ServiceDep, page: Page = 1, page_size: PageSize = 20
) -> ProfileList:
    """Who follows this account, most recent first."""
    found = await service.people(
        side="followers", username=username, page=page, page_size=page_size
    )
    return ProfileList.from_page(found)


@router.get("/following", responses=errors(404, 422))
async def following(
    username: Username, service: ServiceDep, page: Page = 1, page_size: PageSize = 20
) -> ProfileList:
    """Whom this account follows, most recent first."""
    found = await service.people(
        side="following", username=username, page=page, page_size=page_size
    )
    return ProfileList.from_page(found)
