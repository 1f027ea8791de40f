"""Annotated dependencies: who is calling, from where, how often, and the auth service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.auth.exceptions import InsufficientRole, InsufficientScope
from inkwell.auth.repository import AccountRepository, SessionRepository
from inkwell.auth.service import AuthService, ClientInfo, Principal
from inkwell.auth.throttle import Throttle
from inkwell.core.db import SessionDep, request_session, unit_of_work
from inkwell.core.dependencies import StateDep
from inkwell.core.errors import Unauthorized
from inkwell.core.openapi import API_KEY_SCOPE, BEARER, OPTIONAL_BEARER
from inkwell.core.security import API_KEY_PREFIX
from inkwell.core.state import AppState
from inkwell.models.user import Role, User

# Two names for the same bearer token, so the OpenAPI document can tell routes that need a
# token from routes where one is optional (core/openapi.py merges them into one scheme).
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=OPTIONAL_BEARER,
    description="An access token from /api/v1/auth/login",
)
_required_bearer = HTTPBearer(
    auto_error=False, scheme_name=BEARER, description="An access token from /api/v1/auth/login"
)
_NO_EXTRA: dict[str, object] = {}


async def client_info(request: Request, state: StateDep) -> ClientInfo:
    """The caller's address (the first X-Forwarded-For one where that is trusted) and agent."""
    ip = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    if state.settings.trust_forwarded_for and forwarded:
        ip = forwarded.split(",")[0].strip()[:64]
    user_agent = request.headers.get("user-agent")
    return ClientInfo(ip=ip, user_agent=user_agent[:512] if user_agent else None)


ClientDep = Annotated[ClientInfo, Depends(client_info)]


def make_auth_service(session: AsyncSession, state: AppState) -> AuthService:
    return AuthService(
        sessions=SessionRepository(session),
        users=AccountRepository(session),
        hasher=state.hasher,
        codec=state.codec,
        throttle=Throttle(state.limiter, state.settings),
        settings=state.settings,
    )


async def auth_service(session: SessionDep, state: StateDep) -> AuthService:
    return make_auth_service(session, state)


AuthServiceDep = Annotated[AuthService, Depends(auth_service)]


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller of a bearer token; None without one. Anonymous reads, the most common
    requests, build no service for it, and FastAPI resolves no session dependency for it
    (each one it resolves costs about 20 us per request): with a token, the request's session
    is taken directly."""
    if credentials is None:
        return None
    state: AppState = request.app.state.inkwell
    service = make_auth_service(await request_session(request), state)
    if credentials.credentials.startswith(API_KEY_PREFIX):
        return await _key_principal(request, service, credentials.credentials, state)
    return await service.authenticate(credentials.credentials)


async def _key_principal(
    request: Request, service: AuthService, token: str, state: AppState
) -> Principal:
    """The owner of an API key, counted against the key's rate limit, on a route that
    declares a scope the key holds (docs/api-keys.md)."""
    use = await service.authenticate_key(token)
    if use.stale:
        await _record_key_use(request, state, use.key_id)
    limit = state.settings.rate_limit_requests_per_api_key
    await Throttle(state.limiter, state.settings).check_key(use.key_id, limit=limit)
    if declared_scope(request) not in (use.principal.scopes or ()):
        raise InsufficientScope("This API key does not have the scope this operation needs.")
    return use.principal


def declared_scope(request: Request) -> str | None:
    """The scope the matched operation declares for API keys (auth/scopes.py), or None."""
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None) or _NO_EXTRA
    scope = extra.get(API_KEY_SCOPE)
    return scope if isinstance(scope, str) else None


async def _record_key_use(request: Request, state: AppState, key_id: uuid.UUID) -> None:
    """In a short transaction of its own: a read's session cannot write, and a failed
    request's rollback should not forget that the key was used."""
    ip = (await client_info(request, state)).ip
    async with unit_of_work(state.sessionmaker) as session:
        await make_auth_service(session, state).record_key_use(key_id, ip=ip)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(_required_bearer)],
) -> Principal:
    if principal is None:
        raise Unauthorized("Sign in to do this.")
    return principal


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> User:
    return principal.user


async def optional_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    """The caller, or None without a token (one dependency: public reads are the most
    frequent requests)."""
    principal = await optional_principal(request, credentials)
    return principal.user if principal else None


def require_role(*roles: Role) -> object:
    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise InsufficientRole
        return user

    return Depends(check)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
AdminUser = Annotated[User, require_role(Role.ADMIN)]
ModeratorUser = Annotated[User, require_role(Role.MODERATOR, Role.EDITOR, Role.ADMIN)]


def write_limit(action: str, setting: str, signed_in: Any = current_user) -> Any:
    """A route dependency counting one `action` by the user `signed_in` resolves (429 past the
    limit in `setting`); the RealWorld transport passes its own `Token` user dependency."""

    # The dependency is a default value: a local name in an annotation would not resolve.
    async def count_write(state: StateDep, user: User = Depends(signed_in)) -> None:
        limit = int(getattr(state.settings, setting))
        await Throttle(state.limiter, state.settings).check_user(
            action, user_id=user.id, limit=limit
        )

    return Depends(count_write)


async def _count_view(client: ClientDep, state: StateDep) -> None:
    await Throttle(state.limiter, state.settings).check(
        "view", ip=client.ip, limit=state.settings.rate_limit_views_per_ip
    )


# Route dependencies (`dependencies=[...]`) that count writes per user and views per IP.
PostWriteLimit = write_limit("post write", "rate_limit_post_writes_per_user")
CommentWriteLimit = write_limit("comment write", "rate_limit_comment_writes_per_user")
ViewLimit = Depends(_count_view)
