"""Routing: a router that other paths pass by, the methods each path answers, and URLs that
do not trust the Host header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import iter_route_contexts
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from inkwell.core.errors import ErrorInfo, render_error


def route_path(scope: Scope) -> str:
    """The request's path as routes match it: without the prefix the app is mounted under
    (`root_path`) when the path starts with it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    rest = path[len(root) :]
    return rest if not rest or rest.startswith("/") else path


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
        path = route_path(scope)
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
    path = route_path(scope)
    if scope["type"] != "http" or path == "/":
        return None
    full = scope["path"]
    return {**scope, "path": full.rstrip("/") if path.endswith("/") else f"{full}/"}


def _matches(route: BaseRoute, scope: Scope) -> bool:
    match, _ = route.matches(scope)
    return match is not Match.NONE


@dataclass(frozen=True, slots=True)
class _Pattern:
    path: str
    regex: re.Pattern[str]
    literal_segments: tuple[bool, ...]  # which segments are fixed text, not parameters
    methods: frozenset[str]


class RouteMethods:
    """The methods each path answers, over every route whose pattern matches it.

    Starlette answers 405 with the methods of the first route that matched the path alone, and
    a pattern (`/posts/{id_or_slug}`) takes a static path (`/posts/search`) for its own. Here the
    most specific patterns that match a path own it (a fixed segment wins over a parameter,
    from the left), and the path answers the methods of all of them. Built on first use, when
    every router is in.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    @cached_property
    def patterns(self) -> tuple[_Pattern, ...]:
        methods: dict[str, set[str]] = {}
        regexes: dict[str, re.Pattern[str]] = {}
        for route in iter_route_contexts(self.app.routes):
            if route.path_format and route.methods:
                methods.setdefault(route.path_format, set()).update(route.methods)
                regexes[route.path_format] = route.path_regex
        return tuple(
            _Pattern(path, regexes[path], _literal_segments(path), frozenset(found))
            for path, found in methods.items()
        )

    @cached_property
    def static(self) -> dict[str, frozenset[str]]:
        """The methods of each path without parameters."""
        return {p.path: p.methods for p in self.patterns if all(p.literal_segments)}

    def allowed(self, path: str) -> frozenset[str]:
        matching = [pattern for pattern in self.patterns if pattern.regex.match(path)]
        if not matching:
            return frozenset()
        best = max(pattern.literal_segments for pattern in matching)
        return frozenset().union(*(p.methods for p in matching if p.literal_segments == best))


def _literal_segments(path_format: str) -> tuple[bool, ...]:
    return tuple(not segment.startswith("{") for segment in path_format.split("/"))


def _not_allowed(request: Request, allowed: frozenset[str]) -> Response:
    info = ErrorInfo(
        status=405,
        code="method_not_allowed",
        title="Method not allowed",
        detail=f"{request.method} is not allowed here.",
        headers={"Allow": ", ".join(sorted(allowed))},
    )
    return render_error(request, info)


async def method_not_allowed(request: Request, _exc: Exception) -> Response:
    """The 405 handler: `Allow` names every method of the path, not one route's."""
    methods: RouteMethods = request.app.state.route_methods
    return _not_allowed(request, methods.allowed(route_path(request.scope)))


class StaticPathMethodsMiddleware:
    """405 for a method a static path does not answer, before a pattern route that answers it
    (`PUT /posts/{id_or_slug}` for `PUT /posts/search`) takes the request."""

    def __init__(self, app: ASGIApp, *, methods: RouteMethods) -> None:
        self.app = app
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allowed = self.methods.static.get(route_path(scope))
            if allowed is not None and scope["method"] not in allowed:
                await _not_allowed(Request(scope), allowed)(scope, receive, send)
                return
        await self.app(scope, receive, send)
