"""Dependencies solved by a plan made once per route, instead of FastAPI's per-request walk.

FastAPI solves a route's dependencies anew on every request: for each dependency it asks
again whether the function is a generator, a coroutine or uses security scopes, builds a
result object and a cache key, and looks at every kind of parameter, even those it does not
have. On a post read that walk was a quarter of the app's own time in a profile (three
dependencies: the caller, the bearer token, the service). `plan()` answers those questions
once, when the route is built; `solve()` then does only what is left: read and validate each
dependency's parameters (with FastAPI's own validation, so values and errors are the same)
and call it.

The order and the rules are FastAPI's: a dependency's own dependencies first, depth first; a
dependency whose parameters, or whose own dependencies' parameters, failed validation is not
called, the others are; every error is gathered, and any error ends the request with a
`RequestValidationError` before the endpoint runs; a dependency used twice is called once
(unless `use_cache=False`). A route with anything this does not handle keeps FastAPI's walk:
a body, a parameter read into a model or from JSON, a generator (`yield`) dependency, a
WebSocket parameter, security scopes, a concurrency limit, or a generator endpoint. So does
any request while `app.dependency_overrides` is not empty.
tests/core/test_flat_dependencies.py runs every route both ways and compares the answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Sequence
from collections.abc import Set as AbstractSet
from copy import deepcopy
from dataclasses import dataclass
from functools import partial
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import BackgroundTasks, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_validation_alias
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, get_request_handler
from pydantic import BaseModel, Json, ValidationError
from pydantic_core import PydanticUndefined as Undefined
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, ImmutableMultiDict

_LISTS = (list, tuple, set, frozenset, Sequence, AbstractSet)


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query, header or cookie parameter, with what FastAPI works out for it on every
    request worked out once: the key it is read under and whether it takes a list."""

    field: Any  # FastAPI's ModelField
    key: str
    is_list: bool
    where: str

    @classmethod
    def of(cls, field: Any, where: str) -> Param | None:
        """None for what only FastAPI's own reading handles: a model, a JSON value, several
        aliases, or a type that is a list only sometimes."""
        info = field.field_info
        kinds = {_takes_list(arg) for arg in _union_args(info.annotation)}
        several_aliases = not isinstance(info.validation_alias, str | None)
        if len(kinds) > 1 or several_aliases or _special(info):
            return None
        return cls(field, get_validation_alias(field), kinds.pop(), where)

    def read(self, source: Any, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The validated value, or the errors, as FastAPI's `request_params_to_args` gives
        them."""
        if self.is_list and isinstance(source, ImmutableMultiDict | Headers):
            value = source.getlist(self.key) or Undefined
        else:
            value = source.get(self.key, Undefined)
            if self.is_list and value is not Undefined and len(value) == 0:
                value = Undefined
        loc = (self.where, self.key)
        if value is Undefined:
            info = self.field.field_info
            if info.is_required():
                return None, [_missing(loc)]
            value = deepcopy(self.field.default)
            if not info.validate_default:
                return value, []
        return self.field.validate(value, values, loc=loc)  # type: ignore[no-any-return]


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, UnionType):
        return tuple(arg for arg in get_args(annotation) if arg is not type(None))
    return (annotation,)


def _takes_list(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation) or annotation
    if not isinstance(origin, type) or issubclass(origin, str | bytes):
        return False  # text is a sequence, and so is an enumeration of strings
    return issubclass(origin, _LISTS)


def _special(info: Any) -> bool:
    """Read into a model, or parsed from JSON."""
    models = [a for a in _union_args(info.annotation) if isinstance(a, type)]
    json = any(type(item) is Json for item in info.metadata)
    return json or any(issubclass(a, BaseModel) for a in models)


def _missing(loc: tuple[str, str]) -> dict[str, Any]:
    """FastAPI's error for a required parameter that is absent (pydantic's `missing`)."""
    found = ValidationError.from_exception_data(
        "Field required", [{"type": "missing", "loc": loc, "input": {}}]
    ).errors(include_url=False)[0]
    error: dict[str, Any] = {**found, "input": None}
    return error


@dataclass(frozen=True, slots=True)
class Step:
    """One dependency (or the endpoint) as `solve` calls it."""

    call: Callable[..., Any]
    name: str | None  # the parameter of the caller it fills
    use_cache: bool
    is_coroutine: bool
    needs: tuple[Step, ...]
    params: tuple[tuple[str, tuple[Param, ...]], ...]  # (where, its parameters), where any
    request_name: str | None
    connection_name: str | None  # an HTTPConnection parameter (security schemes take one)
    response_name: str | None
    background_name: str | None


_SOURCES = ("path", "query", "header", "cookie")


def plan(dependant: Dependant) -> Step | None:
    """The steps of a dependant, or None when it needs FastAPI's own solver."""
    call = dependant.call
    if call is None or not _plain(dependant):
        return None
    needs = tuple(plan(sub) for sub in dependant.dependencies)
    if any(step is None for step in needs):
        return None
    fields = {
        "path": dependant.path_params,
        "query": dependant.query_params,
        "header": dependant.header_params,
        "cookie": dependant.cookie_params,
    }
    params = {where: [Param.of(field, where) for field in found] for where, found in fields.items()}
    if any(param is None for found in params.values() for param in found):
        return None
    return Step(
        call=call,
        name=dependant.name,
        use_cache=dependant.use_cache,
        is_coroutine=_is_coroutine(call),
        needs=tuple(step for step in needs if step is not None),
        params=tuple(
            (where, tuple(p for p in params[where] if p is not None))
            for where in _SOURCES
            if params[where]
        ),
        request_name=dependant.request_param_name,
        connection_name=dependant.http_connection_param_name,
        response_name=dependant.response_param_name,
        background_name=dependant.background_tasks_param_name,
    )


def _plain(dependant: Dependant) -> bool:
    call = dependant.call
    return not (
        _is_generator(call)
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.security_scopes_param_name
        or dependant.concurrency is not None
    )


def _callables(call: Any) -> tuple[Any, ...]:
    """The function itself, and for an instance the method that runs when it is called."""
    if inspect.isfunction(call) or inspect.ismethod(call) or isinstance(call, partial):
        return (call,)
    return (call, type(call).__call__)


def _is_generator(call: Any) -> bool:
    found = _callables(call)
    return any(inspect.isgeneratorfunction(f) or inspect.isasyncgenfunction(f) for f in found)


def _is_coroutine(call: Any) -> bool:
    return any(inspect.iscoroutinefunction(f) for f in _callables(call))


@dataclass(slots=True)
class Solving:
    """What one request's solving shares: the request, its sub-response, the background
    tasks, the values already computed, and the errors so far."""

    request: Request
    response: Response
    background: BackgroundTasks | None
    cache: dict[Callable[..., Any], Any]
    errors: list[Any]

    def specials(self, step: Step) -> dict[str, Any]:
        """The request, the sub-response and the background tasks, where `step` takes them."""
        found: dict[str, Any] = {}
        if step.connection_name:
            found[step.connection_name] = self.request
        if step.request_name:
            found[step.request_name] = self.request
        if step.response_name:
            found[step.response_name] = self.response
        if step.background_name:
            if self.background is None:
                self.background = BackgroundTasks()
            found[step.background_name] = self.background
        return found

    def source(self, where: str) -> Any:
        request = self.request
        if where == "path":
            return request.path_params
        if where == "query":
            return request.query_params
        if where == "header":
            return request.headers
        return request.cookies


async def arguments(step: Step, solving: Solving) -> dict[str, Any]:
    """The arguments of `step`: its dependencies called (those whose parameters were valid)
    and its own parameters validated; errors go to `solving.errors`."""
    values: dict[str, Any] = {}
    for need in step.needs:
        before = len(solving.errors)
        need_values = await arguments(need, solving)
        if len(solving.errors) == before:
            value = await _cached_call(need, need_values, solving.cache)
            if need.name is not None:
                values[need.name] = value
    for where, params in step.params:
        source = solving.source(where)
        for param in params:
            value, errors = param.read(source, values)
            if errors:
                solving.errors.extend(errors)
            else:
                values[param.field.name] = value
    values.update(solving.specials(step))
    return values


async def _cached_call(step: Step, values: dict[str, Any], cache: dict[Any, Any]) -> Any:
    if step.use_cache and step.call in cache:
        return cache[step.call]
    value = await _call(step, values)
    cache.setdefault(step.call, value)
    return value


async def _call(step: Step, values: dict[str, Any]) -> Any:
    if step.is_coroutine:
        return await step.call(**values)
    return await run_in_threadpool(step.call, **values)


def _uses_background(step: Step) -> bool:
    return step.background_name is not None or any(map(_uses_background, step.needs))


def flat_dependant(endpoint: Step, path: str) -> Dependant:
    """A dependant for FastAPI's request handler with nothing left to solve: it takes the
    request, the sub-response (and the background tasks, if a step takes them), and runs
    the plan itself."""

    async def run(
        request: Request, response: Response, background_tasks: BackgroundTasks | None = None
    ) -> Any:
        solving = Solving(request, response, background_tasks, {}, [])
        values = await arguments(endpoint, solving)
        if solving.errors:
            raise RequestValidationError(solving.errors)
        return await _call(endpoint, values)

    run.__name__ = getattr(endpoint.call, "__name__", "endpoint")
    run.__qualname__ = getattr(endpoint.call, "__qualname__", run.__name__)
    run.__module__ = getattr(endpoint.call, "__module__", __name__)
    return Dependant(
        call=run,
        path=path,
        request_param_name="request",
        response_param_name="response",
        background_tasks_param_name="background_tasks" if _uses_background(endpoint) else None,
    )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def route_handler(route: APIRoute, standard: Handler) -> Handler:
    """The request handler of `route`: FastAPI's, with the route's dependencies solved by
    plan when they can be, else `standard` (FastAPI's own), which also takes every request
    made while the app has dependency overrides.

    The route's own attributes are used: a router included with dependencies of its own
    would add them only to FastAPI's handler, so Inkwell includes none
    (tests/core/test_flat_dependencies.py checks every route)."""
    endpoint = plan(route.dependant)
    if endpoint is None or route.body_field is not None:
        return standard
    flat = get_request_handler(
        dependant=flat_dependant(endpoint, route.path_format),
        body_field=None,
        status_code=route.status_code,
        response_class=route.response_class,
        response_field=route.response_field,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        dependency_overrides_provider=None,
        embed_body_fields=False,
        strict_content_type=route.strict_content_type,
        form_limits=route.form_limits,
        stream_item_field=route.stream_item_field,
        is_json_stream=route.is_json_stream,
    )

    async def handle(request: Request) -> Response:
        if request.app.dependency_overrides:
            return await standard(request)
        return await flat(request)

    return handle
