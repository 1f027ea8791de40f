"""HTTP endpoints of authentication (/api/v1/auth; users.router adds /auth/register)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Response, status

from inkwell.auth.dependencies import (
    AuthServiceDep,
    ClientDep,
    CurrentPrincipal,
    CurrentUser,
)
from inkwell.auth.schemas import LoginRequest, RefreshRequest, SessionView, TokenResponse
from inkwell.auth.scopes import SIGN_IN_ONLY
from inkwell.auth.service import TokenPair
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors
from inkwell.core.text import StorableStr

router = APIRouter(prefix="/auth", tags=["auth"], route_class=SessionRoute)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _tokens(pair: TokenPair, response: Response) -> TokenResponse:
    response.headers.update(NO_STORE)
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/login", responses=errors(401, 403, 422, 429))
async def login(
    data: LoginRequest, service: AuthServiceDep, client: ClientDep, response: Response
) -> TokenResponse:
    """Sign in with a username or e-mail and a password (JSON)."""
    pair = await service.login(login=data.login, password=data.password, client=client)
    return _tokens(pair, response)


@router.post("/token", responses=errors(401, 403, 422, 429))
async def token(
    username: Annotated[StorableStr, Form(min_length=1, max_length=320)],
    password: Annotated[StorableStr, Form(min_length=1, max_length=128)],
    service: AuthServiceDep,
    client: ClientDep,
    response: Response,
) -> TokenResponse:
    """Sign in with the OAuth2 password form (`username` may be the e-mail)."""
    pair = await service.login(login=username, password=password, client=client)
    return _tokens(pair, response)


@router.post("/refresh", responses=errors(401, 422, 429))
async def refresh(
    data: RefreshRequest, service: AuthServiceDep, client: ClientDep, response: Response
) -> TokenResponse:
    """Trade a refresh token for a new pair; the one presented stops working."""
    pair = await service.refresh(refresh_token=data.refresh_token, client=client)
    return _tokens(pair, response)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=errors(422))
async def logout(data: RefreshRequest, service: AuthServiceDep) -> None:
    """End the session of a refresh token."""
    await service.logout(refresh_token=data.refresh_token)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401),
    openapi_extra=SIGN_IN_ONLY,
)
async def logout_all(user: CurrentUser, service: AuthServiceDep) -> None:
    """End every session of the signed-in user."""
    await service.logout_all(user=user)


@router.get("/sessions", responses=errors(401), openapi_extra=SIGN_IN_ONLY)
async def list_sessions(principal: CurrentPrincipal, service: AuthServiceDep) -> list[SessionView]:
    """The signed-in user's active sessions."""
    sessions = await service.list_sessions(user=principal.user)
    return [
        SessionView.model_validate(s).model_copy(update={"current": s.id == principal.session_id})
        for s in sessions
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 404),
    openapi_extra=SIGN_IN_ONLY,
)
async def end_session(session_id: uuid.UUID, user: CurrentUser, service: AuthServiceDep) -> None:
    """End one of the signed-in user's sessions."""
    await service.end_session(user=user, session_id=session_id)
