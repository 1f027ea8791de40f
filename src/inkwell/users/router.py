"""HTTP endpoints of accounts (/api/v1/auth/register, /api/v1/users, /api/v1/admin/users)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from inkwell.auth.dependencies import (
    AdminUser,
    ClientDep,
    CurrentPrincipal,
    CurrentUser,
    OptionalUser,
)
from inkwell.core.db import SessionRoute
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.users.dependencies import UserServiceDep
from inkwell.users.etags import profile_etag
from inkwell.users.schemas import (
    AdminUserUpdate,
    AdminUserView,
    PasswordChange,
    PrivateProfile,
    Profile,
    ProfileUpdate,
    RegisterRequest,
)

# Registration sits with the other auth endpoints in the API; accounts are this domain's.
register_router = APIRouter(prefix="/auth", tags=["auth"], route_class=SessionRoute)

router = APIRouter(prefix="/users", tags=["users"], route_class=SessionRoute)
admin_router = APIRouter(prefix="/admin/users", tags=["admin"], route_class=SessionRoute)


@register_router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses=errors(409, 422, 429)
)
async def register(
    data: RegisterRequest, service: UserServiceDep, client: ClientDep
) -> PrivateProfile:
    """Create an account."""
    user = await service.register(data=data, ip=client.ip)
    return PrivateProfile.model_validate(user)


@router.get("/me", responses=errors(401))
async def get_me(user: CurrentUser) -> PrivateProfile:
    """The signed-in user's own profile."""
    return PrivateProfile.model_validate(user)


@router.patch("/me", responses=errors(401, 409, 422))
async def update_me(
    changes: ProfileUpdate, user: CurrentUser, service: UserServiceDep
) -> PrivateProfile:
    """Change some fields of one's own profile."""
    return PrivateProfile.model_validate(await service.update_profile(user=user, changes=changes))


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 422))
async def change_password(
    data: PasswordChange, principal: CurrentPrincipal, service: UserServiceDep
) -> None:
    """Change one's password; other sessions end."""
    await service.change_password(
        user=principal.user, data=data, current_session=principal.session_id
    )


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401))
async def delete_me(user: CurrentUser, service: UserServiceDep) -> None:
    """Close one's own account."""
    await service.deactivate(user=user)


@router.get("/{username}", response_model=Profile, responses={**errors(404), **NOT_MODIFIED})
async def get_profile(
    username: str,
    viewer: OptionalUser,
    service: UserServiceDep,
    request: Request,
) -> Response:
    """Anyone's public profile, with follower counts and whether the reader follows them."""
    record = await service.profile(username=username, viewer=viewer)
    return answer(request, profile_etag(record), lambda: Profile.from_record(record))


@admin_router.patch("/{user_id}", responses=errors(401, 403, 404, 409, 422))
async def admin_update_user(
    user_id: uuid.UUID, changes: AdminUserUpdate, admin: AdminUser, service: UserServiceDep
) -> AdminUserView:
    """Set a user's role or disable them (admins only)."""
    user = await service.admin_update(admin=admin, user_id=user_id, changes=changes)
    return AdminUserView.model_validate(user)
