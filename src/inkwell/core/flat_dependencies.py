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

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import BackgroundTasks, Request, Response
from fastapi._compat import ModelField
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.dependencies.models import (
    Dependant,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _validate_value_with_model_field,
)
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, _effective_route_context_var, get_request_handler
from pydantic_core import PydanticUndefined as Undefined
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, ImmutableMultiDict


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query, header or cookie parameter, with what FastAPI works out for it on every
    request worked out once: the keys it is read under and whether it takes a list."""

    field: ModelField
    keys: tuple[str, ...]
    is_list: bool
    where: str

    @classmethod
    def of(cls, field: ModelField, where: str) -> Param | None:
        """None for what only `request_params_to_args` reads (a model, a JSON value)."""
        if _get_param_model(field) is not None or _is_json_field(field):
            return None
        keys = tuple(key for _, key in _get_param_aliases(field))
        return cls(field, keys, field_annotation_is_sequence(field.field_info.annotation), where)

    def read(self, source: Any, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The validated value, or the errors, as `request_params_to_args` gives them."""
        key = next((key for key in self.keys if key in source), self.keys[0])
        if self.is_list and isinstance(source, ImmutableMultiDict | Headers):
            value = source.getlist(key) or Undefined
        else:
            value = source.get(key, Undefined)
            if self.is_list and value is not Undefined and len(value) == 0:
                value = Undefined
        return _validate_value_with_model_field(
            field=self.field, value=value, values=values, loc=(self.where, key)
        )


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
        is_coroutine=_is_coroutine_callable(call),
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
        _is_gen_callable(call)
        or _is_async_gen_callable(call)
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.security_scopes_param_name
        or dependant.concurrency is not None
    )


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
    plan when they can be, else `standard` (FastAPI's own)."""
    effective = _effective_route_context_var.get()
    source: Any = (
        effective if effective is not None and effective.original_route is route else route
    )
    endpoint = plan(source.dependant)
    if endpoint is None or source.body_field is not None:
        return standard
    flat = get_request_handler(
        dependant=flat_dependant(endpoint, source.dependant.path or route.path_format),
        body_field=None,
        status_code=source.status_code,
        response_class=source.response_class,
        response_field=source.response_field,
        response_model_include=source.response_model_include,
        response_model_exclude=source.response_model_exclude,
        response_model_by_alias=source.response_model_by_alias,
        response_model_exclude_unset=source.response_model_exclude_unset,
        response_model_exclude_defaults=source.response_model_exclude_defaults,
        response_model_exclude_none=source.response_model_exclude_none,
        dependency_overrides_provider=None,
        embed_body_fields=False,
        strict_content_type=source.strict_content_type,
        form_limits=route.form_limits,
        stream_item_field=source.stream_item_field,
        is_json_stream=source.is_json_stream,
    )
    overrides = source.dependency_overrides_provider

    async def handle(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            return await standard(request)
        return await flat(request)

    return handle
