"""Anonymous reads of the busiest routes, served without FastAPI's per-request work.

A post, a RealWorld article, a post's comments and the lists of posts are most of what a blog
serves, and most of their readers send no credentials. For such a request FastAPI still walks
its included routers to find the route, builds its request handler's context, and solves the
route's dependencies, which come to "no caller" and a service: about a fifth of a single read's
CPU (docs/benchmarks.md, run T).

A route opts in with an *anonymous variant*: a function in the route's own module, registered
with `@anonymous_variant(endpoint)`, that calls the endpoint as its dependencies would for a
caller without credentials (`viewer=None`, the same service over the request's session).
`install(app)` puts a `HotRoute` for each such route first in the app's routes. It matches a
`GET` of the route's path with no `Authorization` header (every credential, access token or API
key, comes in that header), reads the route's own path, query and header parameters with
FastAPI's validation, and calls the variant with them. Anything else passes it by: another
method, a credential, a parameter that fails validation (the plain route answers FastAPI's own
422), a path that a route tried before it takes (`/api/articles/feed`), and every request while
`app.dependency_overrides` is not empty.

Everything around the endpoint is as on the plain path: the middleware, the request's session
(`serve_in_session`: the same replica choice, the same single retry), the exception handlers,
and the matched route in the scope (metrics count the request under the route's template).
`INKWELL_HOT_READS=false` turns it off, and so does tracing (a traced request takes FastAPI's
path, which its spans describe). tests/core/test_hot_reads.py compares both paths' answers
request by request, and fails when a route with a variant gains a dependency the variant
does not stand in for; CI runs the whole suite a second time with hot reads off.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers, QueryParams
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import Receive, Scope, Send

from inkwell.core.db import serve_in_session
from inkwell.core.flat_dependencies import Param
from inkwell.core.routing import route_path

Variant = Callable[..., Awaitable[Response]]

# endpoint -> its anonymous variant, filled as the routers' modules are imported
_VARIANTS: dict[Callable[..., Any], Variant] = {}
_VALUES = "inkwell.hot_values"  # the validated parameters, in the matched request's scope


def anonymous_variant(endpoint: Callable[..., Any]) -> Callable[[Variant], Variant]:
    """Register the decorated function as `endpoint`'s answer to a caller without credentials.
    It takes the request and the route's path, query and header parameters, by name."""

    def register(variant: Variant) -> Variant:
        _VARIANTS[endpoint] = variant
        return variant

    return register


@dataclass(frozen=True, slots=True)
class _Reader:
    """The route's own path, query and header parameters, read as FastAPI reads them."""

    path: tuple[Param, ...]
    query: tuple[Param, ...]
    header: tuple[Param, ...]

    @classmethod
    def of(cls, route: APIRoute) -> _Reader:
        dependant = route.dependant
        if dependant.cookie_params or dependant.body_params:
            raise ValueError(f"{route.path}: a variant takes path, query and header parameters")
        found = {
            where: tuple(Param.of(field, where) for field in fields)
            for where, fields in (
                ("path", dependant.path_params),
                ("query", dependant.query_params),
                ("header", dependant.header_params),
            )
        }
        if any(param is None for params in found.values() for param in params):
            raise ValueError(f"{route.path}: a parameter only FastAPI's own reading handles")
        return cls(**found)  # type: ignore[arg-type]

    def read(self, path_params: dict[str, Any], scope: Scope) -> dict[str, Any] | None:
        """The parameters by name, or None when one is invalid."""
        sources: list[tuple[tuple[Param, ...], Any]] = [(self.path, path_params)]
        if self.query:
            sources.append((self.query, QueryParams(scope["query_string"])))
        if self.header:
            sources.append((self.header, Headers(scope=scope)))
        values: dict[str, Any] = {}
        for params, source in sources:
            for param in params:
                value, errors = param.read(source, values)
                if errors:
                    return None
                values[param.field.name] = value
        return values


class HotRoute(BaseRoute):
    """Stands first in the app's routes for `route`, for callers without credentials."""

    def __init__(
        self,
        route: APIRoute,
        path: str,
        variant: Variant,
        earlier: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        self.route = route
        self.variant = variant
        self.path_format = path  # what FastAPI's router reports as the matched template
        self.path_regex, _, self.param_convertors = compile_path(path)
        self.reader = _Reader.of(route)
        # The paths of GET routes tried before `route` that may match the same requests
        # (/api/articles/feed before /api/articles/{slug}): a request they match is theirs.
        self.earlier = earlier

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "GET":
            return Match.NONE, {}
        path = route_path(scope)
        found = self.path_regex.match(path)
        if found is None or _has_credentials(scope) or scope["app"].dependency_overrides:
            return Match.NONE, {}
        if any(regex.match(path) for regex in self.earlier):
            return Match.NONE, {}
        path_params = {
            name: self.param_convertors[name].convert(value)
            for name, value in found.groupdict().items()
        }
        values = self.reader.read(path_params, scope)
        if values is None:
            return Match.NONE, {}
        child = {
            "endpoint": self.route.endpoint,
            "path_params": {**scope.get("path_params", {}), **path_params},
            "route": self.route,
            _VALUES: values,
        }
        return Match.FULL, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        values = scope[_VALUES]

        async def answer(request: Request) -> Response:
            return await self.variant(request, **values)

        response = await serve_in_session(answer, request)
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)  # the plain route builds its URLs


def _has_credentials(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope["headers"])


@dataclass(frozen=True, slots=True)
class _Declared:
    """A route as the app's router tries it: its whole path and methods."""

    path: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    route: BaseRoute


def _declared(app: FastAPI) -> list[_Declared]:
    """Every route with a path and methods, in the order the app's router tries them."""
    declared = []
    for context in iter_route_contexts(app.routes):
        if context.path_format and context.methods:
            path, methods = context.path_format, frozenset(context.methods)
            declared.append(_Declared(path, context.path_regex, methods, context.original_route))
    return declared


def install(app: FastAPI) -> list[HotRoute]:
    """Put a HotRoute first in the app's routes for each GET route with an anonymous variant;
    call it once the routers are included."""
    declared = _declared(app)
    hot = []
    for n, one in enumerate(declared):
        if not isinstance(one.route, APIRoute) or "GET" not in one.methods:
            continue
        variant = _VARIANTS.get(one.route.endpoint)
        if variant is None:
            continue
        earlier = tuple(
            before.regex
            for before in declared[:n]
            if "GET" in before.methods and _may_overlap(before.path, one.path)
        )
        hot.append(HotRoute(one.route, one.path, variant, earlier))
    app.router.routes[:0] = hot
    return hot


def _may_overlap(one: str, other: str) -> bool:
    """Whether two path templates may match the same path: not when they have different
    numbers of segments, or different text in the same place (a `{name:path}` spans
    segments, so it may match anything)."""
    if ":path}" in one or ":path}" in other:
        return True
    ones, others = one.split("/"), other.split("/")
    if len(ones) != len(others):
        return False
    return all(a == b or "{" in a or "{" in b for a, b in zip(ones, others, strict=True))
