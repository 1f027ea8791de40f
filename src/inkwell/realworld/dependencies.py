"""Who is calling, as RealWorld clients say it: `Authorization: Token <jwt>` (or `Bearer`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from inkwell.auth.dependencies import make_auth_service
from inkwell.auth.exceptions import InvalidAccessToken
from inkwell.core.db import request_session
from inkwell.core.errors import Unauthorized
from inkwell.core.security import SessionKind
from inkwell.models.user import User

_SCHEMES = {"token", "bearer"}
ACCEPTED_TOKENS = (SessionKind.REALWORLD, SessionKind.API)
TOKEN_SCHEME = "Token"  # noqa: S105 (a scheme name)
OPTIONAL_TOKEN_SCHEME = "OptionalToken"  # noqa: S105
_DESCRIPTION = "`Token <jwt>` (the `token` of a RealWorld user); `Bearer <jwt>` works too"
# Two names for one header, so the OpenAPI document can tell required tokens from optional ones.
_authorization = APIKeyHeader(
    name="Authorization",
    scheme_name=OPTIONAL_TOKEN_SCHEME,
    auto_error=False,
    description=_DESCRIPTION,
)
_required_authorization = APIKeyHeader(
    name="Authorization", scheme_name=TOKEN_SCHEME, auto_error=False, description=_DESCRIPTION
)


class TokenMissing(Unauthorized):
    code, title = "token_missing", "Authentication required"


@dataclass(frozen=True, slots=True)
class Caller:
    """The signed-in user and the token they presented (RealWorld answers it back)."""

    user: User
    token: str
    session_id: uuid.UUID | None  # None never happens: RealWorld takes no API keys


async def presented_token(
    header: Annotated[str | None, Security(_authorization)] = None,
) -> str | None:
    """The token of an `Authorization: Token <jwt>` or `Bearer <jwt>` header; None without one."""
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in _SCHEMES or not token.strip():
        raise InvalidAccessToken("Send `Authorization: Token <jwt>`.")
    return token.strip()


async def _caller(request: Request, token: str | None) -> Caller | None:
    """Without a token no session is opened (anonymous reads are the most frequent).

    RealWorld tokens, and /api/v1 access tokens too (a client may sign in either way); each
    is checked against its own lifetime and its session.
    """
    if token is None:
        return None
    service = make_auth_service(await request_session(request), request.app.state.inkwell)
    principal = await service.authenticate(token, kinds=ACCEPTED_TOKENS)
    return Caller(user=principal.user, token=token, session_id=principal.session_id)


async def optional_caller(
    request: Request, token: Annotated[str | None, Depends(presented_token)]
) -> Caller | None:
    """The caller when a token is sent; an invalid token is refused even where none is needed."""
    return await _caller(request, token)


async def current_caller(
    caller: Annotated[Caller | None, Depends(optional_caller)],
    _documented: Annotated[str | None, Security(_required_authorization)] = None,
) -> Caller:
    if caller is None:
        raise TokenMissing("Send `Authorization: Token <jwt>`.")
    return caller


async def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    return caller.user


async def optional_user(caller: Annotated[Caller | None, Depends(optional_caller)]) -> User | None:
    return caller.user if caller else None


async def lenient_user(
    request: Request, header: Annotated[str | None, Security(_authorization)] = None
) -> User | None:
    """The caller, or anonymous when the token is missing, invalid or expired (for routes the
    contract lists no 401 for: front ends keep sending a token after it expired). One
    dependency over the header: FastAPI resolves each level anew on every request."""
    try:
        caller = await _caller(request, await presented_token(header))
    except InvalidAccessToken:
        return None
    return caller.user if caller else None


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
LenientUser = Annotated[User | None, Depends(lenient_user)]
