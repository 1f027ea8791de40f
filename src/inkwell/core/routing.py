"""Routing: a router that other paths pass by, and URLs that do not trust the Host header."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette._utils import get_route_path
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Router
from starlette.types import Receive, Scope, Send


class PrefixRouter(APIRouter):
    """An APIRouter whose routes are tried only for paths under its prefix (and not under
    one of `excluded` prefixes).

    FastAPI tries the included routes one by one, so a request is matched against the patterns
    of every router included before the one it is for. Include it without another prefix: the
    check reads this router's own.
    """

    def __init__(self, *, prefix: str, excluded: tuple[str, ...] = (), **options: Any) -> None:
        super().__init__(prefix=prefix, **options)
        self.excluded = tuple(f"{path}/" for path in excluded)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        if path.startswith(self.excluded):
            return Match.NONE, {}
        return super().matches(scope)


def public_url(scope: Scope, path: str) -> str:
    """The URL of one of our paths for a client: the configured site URL and the path, or the
    path alone. Never built from the request's Host header, which the client chooses."""
    site_url: str | None = scope["app"].state.inkwell.settings.site_url
    return f"{site_url or ''}{path}"


def url_for(request: Request, name: str, /, **params: Any) -> str:
    """`public_url` of the route called `name` with these path parameters."""
    path = request.scope.get("root_path", "") + request.app.url_path_for(name, **params)
    return public_url(request.scope, path)


class SlashRedirect:
    """What the app's router answers when no route matched: 307 to the same path without (or
    with) its trailing slash when a route matches that, else 404.

    Starlette's own redirect builds its URL from the Host header; this one is a path, or the
    site URL's, so a forged Host cannot send clients elsewhere. Install it with
    `redirect_slashes=False` on the router.
    """

    def __init__(self, router: Router) -> None:
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        other = _other_path(scope)
        if other is None or not any(_matches(route, other) for route in self.router.routes):
            await self.router.not_found(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        location = public_url(scope, other["path"]) + (f"?{query}" if query else "")
        await RedirectResponse(location, status_code=307)(scope, receive, send)


def _other_path(scope: Scope) -> Scope | None:
    """The request's scope with the trailing slash of its path taken away or added."""
    path = get_route_path(scope)
    if scope["type"] != "http" or path == "/":
        return None
    full = scope["path"]
    return {**scope, "path": full.rstrip("/") if path.endswith("/") else f"{full}/"}


def _matches(route: BaseRoute, scope: Scope) -> bool:
    match, _ = route.matches(scope)
    return match is not Match.NONE
