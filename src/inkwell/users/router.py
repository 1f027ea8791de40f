"""HTTP endpoints of accounts (/api/v1/auth/register, /api/v1/users, /api/v1/admin/users)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from inkwell.auth.dependencies import (
    AdminUser,
    ClientDep,
    CurrentPrincipal,
    CurrentUser,
    OptionalUser,
)
from inkwell.auth.scopes import SIGN_IN_ONLY, Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.users.dependencies import AccountEmailServiceDep, UserServiceDep
from inkwell.users.etags import profile_etag
from inkwell.users.schemas import (
    AdminUserUpdate,
    AdminUserView,
    EmailVerification,
    PasswordChange,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    PrivateProfile,
    Profile,
    ProfileUpdate,
    RegisterRequest,
    RegistrationAccepted,
)

# Registration sits with the other auth endpoints in the API; accounts are this domain's.
register_router = APIRouter(prefix="/auth", tags=["auth"], route_class=SessionRoute)

router = APIRouter(prefix="/users", tags=["users"], route_class=SessionRoute)
admin_router = APIRouter(prefix="/admin/users", tags=["admin"], route_class=SessionRoute)


@register_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=PrivateProfile,
    responses={
        202: {
            "model": RegistrationAccepted,
            "description": "Mail is delivered: the answer to every registration, whether the "
            "address had an account or not",
        },
        **errors(409, 422, 429),
    },
)
async def register(
    data: RegisterRequest, service: UserServiceDep, client: ClientDep
) -> PrivateProfile | JSONResponse:
    """Create an account. Where mail is delivered, answer 202 whether or not the address had
    an account (its owner is told by mail); elsewhere 201 with the profile, or 409."""
    signed_up = await service.sign_up(data=data, ip=client.ip)
    if signed_up.user is None:
        body = RegistrationAccepted().model_dump(mode="json")
        return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED)
    return PrivateProfile.model_validate(signed_up.user)


@register_router.post(
    "/verify-email", status_code=status.HTTP_204_NO_CONTENT, responses=errors(400, 409, 422)
)
async def verify_email(data: EmailVerification, service: AccountEmailServiceDep) -> None:
    """Follow the link of a verification (or change of address) message: its token works once."""
    await service.verify_email(token=data.token)


@register_router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401, 409, 429),
    openapi_extra=SIGN_IN_ONLY,
)
async def resend_verification(user: CurrentUser, service: AccountEmailServiceDep) -> None:
    """Mail the signed-in user a new verification link (older ones stop working)."""
    await service.resend_verification(user=user)


@register_router.post(
    "/password-reset", status_code=status.HTTP_202_ACCEPTED, responses=errors(422, 429)
)
async def request_password_reset(
    data: PasswordResetRequest, service: AccountEmailServiceDep, client: ClientDep
) -> PasswordResetAccepted:
    """Ask for a password reset link; the answer is the same whether the address is known."""
    await service.request_password_reset(email=data.email, ip=client.ip)
    return PasswordResetAccepted()


@register_router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(400, 422, 429),
)
async def confirm_password_reset(
    data: PasswordResetConfirm, service: AccountEmailServiceDep, client: ClientDep
) -> None:
    """Set a new password with a reset link's token; every session of the account ends."""
    await service.reset_password(token=data.token, new_password=data.new_password, ip=client.ip)


@router.get("/me", responses=errors(401), openapi_extra=needs(Scope.PROFILE_READ))
async def get_me(user: CurrentUser) -> PrivateProfile:
    """The signed-in user's own profile."""
    return PrivateProfile.model_validate(user)


@router.patch("/me", responses=errors(401, 409, 422), openapi_extra=needs(Scope.PROFILE_WRITE))
async def update_me(
    changes: ProfileUpdate, principal: CurrentPrincipal, service: UserServiceDep
) -> PrivateProfile:
    """Change some fields of one's own profile (the e-mail address not with an API key)."""
    user = await service.update_profile(
        user=principal.user, changes=changes, by_api_key=principal.api_key_id is not None
    )
    return PrivateProfile.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 422),
    openapi_extra=SIGN_IN_ONLY,
)
async def change_password(
    data: PasswordChange, principal: CurrentPrincipal, service: UserServiceDep
) -> None:
    """Change one's password; other sessions end."""
    await service.change_password(
        user=principal.user, data=data, current_session=principal.session_id
    )


@router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401), openapi_extra=SIGN_IN_ONLY
)
async def delete_me(user: CurrentUser, service: UserServiceDep) -> None:
    """Close one's own account."""
    await service.deactivate(user=user)


@router.get(
    "/{username}",
    response_model=Profile,
    responses={**errors(404), **NOT_MODIFIED},
    openapi_extra=needs(Scope.PROFILE_READ),
)
async def get_profile(
    username: str,
    viewer: OptionalUser,
    service: UserServiceDep,
    request: Request,
) -> Response:
    """Anyone's public profile, with follower counts and whether the reader follows them."""
    record = await service.profile(username=username, viewer=viewer)
    return answer(request, profile_etag(record), lambda: Profile.from_record(record))


@admin_router.patch(
    "/{user_id}", responses=errors(401, 403, 404, 409, 422), openapi_extra=needs(Scope.ADMIN)
)
async def admin_update_user(
    user_id: uuid.UUID, changes: AdminUserUpdate, admin: AdminUser, service: UserServiceDep
) -> AdminUserView:
    """Set a user's role or disable them (admins only)."""
    user = await service.admin_update(admin=admin, user_id=user_id, changes=changes)
    return AdminUserView.model_validate(user)
