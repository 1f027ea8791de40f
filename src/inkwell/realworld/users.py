"""RealWorld users, profiles and tags: /api/users, /api/user, /api/profiles, /api/tags."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from inkwell.auth.dependencies import AuthServiceDep, ClientDep
from inkwell.core.db import SessionRoute
from inkwell.core.errors import InvalidInput
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.follows.dependencies import FollowServiceDep
from inkwell.realworld.adapters import conduit_profile, conduit_user
from inkwell.realworld.dependencies import CurrentCaller, CurrentUser, OptionalUser
from inkwell.realworld.openapi import responses
from inkwell.realworld.schemas import (
    ConduitLoginRequest,
    ConduitNewUserRequest,
    ConduitProfileResponse,
    ConduitTags,
    ConduitUpdateUserRequest,
    ConduitUserResponse,
)
from inkwell.realworld.translate import to_domain
from inkwell.tags.dependencies import TagServiceDep
from inkwell.tags.etags import tags_etag
from inkwell.users.dependencies import UserServiceDep
from inkwell.users.etags import profile_etag
from inkwell.users.exceptions import AccountTaken
from inkwell.users.schemas import ProfileUpdate, RegisterRequest

router = APIRouter(route_class=SessionRoute)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# /api/tags lists this many tags, the most used first.
TAGS_LIMIT = 100
Username = Annotated[str, Path(max_length=100)]


@router.post("/users/login", tags=["RealWorld"], responses=responses(401, 422))
async def login(
    data: ConduitLoginRequest, service: AuthServiceDep, client: ClientDep, response: Response
) -> ConduitUserResponse:
    """Sign in with e-mail (or username) and password; answers the user with a token."""
    signed_in = await service.realworld_login(
        login=data.user.email, password=data.user.password, client=client
    )
    response.headers.update(NO_STORE)
    return ConduitUserResponse(user=conduit_user(signed_in.user, signed_in.token))


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    tags=["RealWorld"],
    responses=responses(409, 422),
)
async def register(
    data: ConduitNewUserRequest,
    users: UserServiceDep,
    auth: AuthServiceDep,
    client: ClientDep,
    response: Response,
) -> ConduitUserResponse:
    """Create an account and sign in (one transaction: both happen or neither)."""
    account = to_domain(RegisterRequest, data.user.model_dump())
    user = await users.register(data=account, ip=client.ip)
    signed_in = await auth.start_realworld_session(user=user, client=client)
    response.headers.update(NO_STORE)
    return ConduitUserResponse(user=conduit_user(user, signed_in.token))


@router.get("/user", tags=["RealWorld"], responses=responses(401))
async def get_current_user(caller: CurrentCaller, response: Response) -> ConduitUserResponse:
    """The signed-in user, with the token they sent."""
    response.headers.update(NO_STORE)
    return ConduitUserResponse(user=conduit_user(caller.user, caller.token))


def _profile_changes(sent: dict[str, Any]) -> ProfileUpdate:
    values = {("avatar_url" if name == "image" else name): value for name, value in sent.items()}
    values.pop("password", None)
    return to_domain(ProfileUpdate, values)


@router.put("/user", tags=["RealWorld"], responses=responses(401, 422))
async def update_current_user(
    data: ConduitUpdateUserRequest,
    caller: CurrentCaller,
    service: UserServiceDep,
    response: Response,
) -> ConduitUserResponse:
    """Change e-mail, username, password, bio or image; a new password ends other sessions.

    A taken e-mail or username answers 422 here (the contract lists no 409 for this route).
    """
    sent = data.user.model_dump(mode="json", exclude_unset=True)
    try:
        user = await service.update_account(
            user=caller.user,
            changes=_profile_changes(sent),
            new_password=data.user.password,
            current_session=caller.session_id,
        )
    except AccountTaken as taken:
        raise InvalidInput(taken.detail, errors=taken.errors) from taken
    response.headers.update(NO_STORE)
    return ConduitUserResponse(user=conduit_user(user, caller.token))


@router.get(
    "/profiles/{username}",
    tags=["RealWorld"],
    response_model=ConduitProfileResponse,
    responses={**responses(401, 404), **NOT_MODIFIED},
)
async def get_profile(
    username: Username,
    viewer: OptionalUser,
    service: UserServiceDep,
    request: Request,
) -> Response:
    """A user's profile; `following` says whether the caller follows them."""
    record = await service.profile(username=username, viewer=viewer)
    return answer(
        request,
        profile_etag(record),
        lambda: ConduitProfileResponse(profile=conduit_profile(record)),
    )


@router.post(
    "/profiles/{username}/follow", tags=["RealWorld"], responses=responses(401, 403, 404, 422)
)
async def follow(
    username: Username, user: CurrentUser, service: FollowServiceDep
) -> ConduitProfileResponse:
    """Follow a user (following twice is one follow)."""
    record = await service.follow(username=username, user=user)
    return ConduitProfileResponse(profile=conduit_profile(record))


@router.delete("/profiles/{username}/follow", tags=["RealWorld"], responses=responses(401, 404))
async def unfollow(
    username: Username, user: CurrentUser, service: FollowServiceDep
) -> ConduitProfileResponse:
    """Stop following a user."""
    record = await service.unfollow(username=username, user=user)
    return ConduitProfileResponse(profile=conduit_profile(record))


@router.get(
    "/tags",
    tags=["RealWorld"],
    response_model=ConduitTags,
    responses={**responses(422), **NOT_MODIFIED},
)
async def list_tags(service: TagServiceDep, request: Request) -> Response:
    """Names of the tags that public articles use, the most used first (at most 100)."""
    page = await service.list(sort="count", page=1, page_size=TAGS_LIMIT)
    used = [tag for tag in page.items if tag.post_count > 0]
    return answer(request, tags_etag(used), lambda: ConduitTags(tags=[tag.name for tag in used]))
