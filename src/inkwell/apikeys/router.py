"""HTTP endpoints of one's own API keys (/api/v1/users/me/api-keys); a sign-in only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from inkwell.apikeys.dependencies import ApiKeyServiceDep
from inkwell.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyView
from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import SIGN_IN_ONLY
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors

router = APIRouter(prefix="/users/me/api-keys", tags=["api-keys"], route_class=SessionRoute)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 409, 422, 429),
    openapi_extra=SIGN_IN_ONLY,
)
async def create_api_key(
    data: ApiKeyCreate, user: CurrentUser, service: ApiKeyServiceDep, response: Response
) -> ApiKeyCreated:
    """Make an API key. The answer holds the key itself, the only time it is shown; an API
    key cannot make keys."""
    made = await service.create(user=user, data=data)
    response.headers["Cache-Control"] = "no-store"
    view = ApiKeyView.model_validate(made.key)
    return ApiKeyCreated(**view.model_dump(), key=made.secret)


@router.get("", responses=errors(401, 403, 429), openapi_extra=SIGN_IN_ONLY)
async def list_api_keys(user: CurrentUser, service: ApiKeyServiceDep) -> list[ApiKeyView]:
    """One's working API keys (unrevoked, unexpired), newest first, with their last use."""
    return [ApiKeyView.model_validate(key) for key in await service.list_keys(user=user)]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 429),
    openapi_extra=SIGN_IN_ONLY,
)
async def revoke_api_key(key_id: uuid.UUID, user: CurrentUser, service: ApiKeyServiceDep) -> None:
    """Revoke one of one's API keys; it stops working at once."""
    await service.revoke(user=user, key_id=key_id)
