"""Dependencies solved by plan (core/flat_dependencies.py) answer what FastAPI's own solver
answers: the same values, errors, order of calls, caching, sub-response headers and
background tasks on a small app built both ways, and the same answers on every GET route of
Inkwell's app, for good and bad parameters, with and without a token."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

import httpx
import pytest
from fastapi import (
    BackgroundTasks,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    Security,
)
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from inkwell.core.flat_dependencies import plan, route_handler
from inkwell.core.state import AppState
from tests.conftest import api_client
from tests.factories import create_post, create_user, signed_in_headers


class FlatRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return route_handler(self, super().get_route_handler())


CALLS: list[str] = []
bearer = HTTPBearer(auto_error=False)


async def caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    strict: Annotated[bool, Query()] = False,
) -> str:
    CALLS.append("caller")
    if strict and credentials is None:
        raise HTTPException(401, "sign in")
    return credentials.credentials if credentials else "anonymous"


def sync_numbers(n: Annotated[list[int], Query()] = []) -> list[int]:  # noqa: B006
    CALLS.append("numbers")
    return n


async def tagged(response: Response, tasks: BackgroundTasks) -> None:
    CALLS.append("tagged")
    response.headers["X-Tag"] = "yes"
    tasks.add_task(CALLS.append, "background")


async def fresh() -> int:
    CALLS.append("fresh")
    return len(CALLS)


async def scoped(scopes: SecurityScopes) -> list[str]:
    return scopes.scopes


async def item(
    *,
    item_id: uuid.UUID,
    who: Annotated[str, Depends(caller)],
    again: Annotated[str, Depends(caller)],
    numbers: Annotated[list[int], Depends(sync_numbers)],
    first: Annotated[int, Depends(fresh, use_cache=False)],
    second: Annotated[int, Depends(fresh, use_cache=False)],
    _tag: Annotated[None, Depends(tagged)],
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
    x_trace: Annotated[str | None, Header(max_length=8)] = None,
) -> dict[str, Any]:
    return {
        "id": str(item_id),
        "who": who == again and who,
        "numbers": numbers,
        "fresh": second - first,
        "limit": limit,
        "trace": x_trace,
    }


async def with_scopes(found: Annotated[list[str], Security(scoped, scopes=["read"])]) -> Any:
    return found


async def generator() -> AsyncIterator[int]:
    yield 1


async def with_body(body: dict[str, int], who: Annotated[int, Depends(generator)]) -> None:
    del body, who


def small_app(route_class: type[APIRoute]) -> FastAPI:
    """Dependencies of every kind the plan handles, and routes it leaves to FastAPI."""
    app = FastAPI()
    app.router.route_class = route_class
    app.get("/items/{item_id}")(item)
    app.get("/scoped")(with_scopes)
    app.post("/body")(with_body)
    return app


REQUESTS = [
    ("/items/01a249e9-86ef-7799-897d-33776ca74528", {}),
    ("/items/01a249e9-86ef-7799-897d-33776ca74528?limit=3&n=1&n=2", {"X-Trace": "abc"}),
    ("/items/01a249e9-86ef-7799-897d-33776ca74528", {"Authorization": "Bearer t0k"}),
    ("/items/not-a-uuid?limit=0&n=x", {"X-Trace": "far too long"}),
    ("/items/not-a-uuid?strict=true", {}),  # 401 from a dependency before the 422
    ("/items/01a249e9-86ef-7799-897d-33776ca74528?strict=true", {}),
    ("/items/01a249e9-86ef-7799-897d-33776ca74528?strict=maybe", {}),
    ("/scoped", {}),
]


async def answers(app: FastAPI) -> list[tuple[Any, ...]]:
    """Each request's status, body, sub-response header, and the calls it made (the
    background task's included)."""
    found = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for url, headers in REQUESTS:
            CALLS.clear()
            response = await client.get(url, headers=headers)
            body = response.json()
            found.append((url, response.status_code, body, response.headers.get("x-tag"), [*CALLS]))
    return found


async def test_a_small_app_answers_the_same_either_way() -> None:
    flat = await answers(small_app(FlatRoute))
    standard = await answers(small_app(APIRoute))
    assert flat == standard
    assert [status for _, status, *_ in flat] == [200, 200, 200, 422, 401, 401, 422, 200]
    assert flat[0][4] == ["caller", "numbers", "fresh", "fresh", "tagged", "background"]


async def test_dependency_overrides_are_honoured() -> None:
    app = small_app(FlatRoute)
    app.dependency_overrides[fresh] = lambda: 7
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/items/01a249e9-86ef-7799-897d-33776ca74528")
    assert response.json()["fresh"] == 0
    assert "fresh" not in CALLS


def test_routes_with_what_the_plan_does_not_handle_keep_fastapis_solver() -> None:
    app = small_app(FlatRoute)
    routes = {route.name: route for route in app.routes if isinstance(route, APIRoute)}
    assert plan(routes["item"].dependant) is not None
    assert plan(routes["with_scopes"].dependant) is None
    assert plan(routes["with_body"].dependant) is None


@pytest.fixture
async def seeded(app_state: AppState, session: Any) -> dict[str, str]:
    author = await create_user(session, username="flat")
    post = await create_post(session, author, title="Flat")
    headers = await signed_in_headers(app_state, author)
    return {"slug": post.slug, "id": str(post.id), "token": headers["Authorization"]}


# No query, limits broken, and values of the common filters, good and bad (an alias, an
# enumeration, a list, a boolean).
QUERIES = [
    "",
    "?page=0&page_size=1000&limit=-1&cursor=%00&since=x",
    "?status=draft&sort=oldest&tag=a&tag=b&unread=true&q=hello&limit=2",
    "?status=nonsense&sort=sideways&unread=maybe&since=3",
]


def _urls(app: FastAPI, seeded: dict[str, str]) -> list[str]:
    """Every GET route with its path parameters filled in a few ways, good and bad, and with
    query parameters that break their limits."""
    urls: list[str] = []
    fills = [seeded["slug"], seeded["id"], "flat", "not-a-uuid", "0", str(uuid.uuid4())]
    for route in iter_route_contexts(app.routes):
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        path = str(route.path_format)
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        for fill in fills if names else [""]:
            url = path
            for name in names:
                url = url.replace("{" + name + "}", fill)
            urls.extend(f"{url}{query}" for query in QUERIES)
    return sorted(set(urls))


async def test_every_get_route_answers_the_same_either_way(
    app_state: AppState, seeded: dict[str, str]
) -> None:
    async with api_client(app_state) as client:
        app: FastAPI = client._transport.app  # type: ignore[attr-defined]
        urls = _urls(app, seeded)
        assert len(urls) > 100
        names = {
            route.name
            for route in iter_route_contexts(app.routes)
            if isinstance(getattr(route, "dependant", None), Dependant) and plan(route.dependant)
        }
        assert {"get_post", "get_article", "list_comments", "list_threads", "list_posts"} <= names
        for url in urls:
            for headers in ({}, {"Authorization": seeded["token"]}, {"Authorization": "Bearer x"}):
                app.dependency_overrides.clear()  # planned
                planned = await client.get(url, headers=headers)
                app.dependency_overrides[object] = object  # any override: FastAPI's solver
                standard = await client.get(url, headers=headers)
                app.dependency_overrides.clear()
                assert _comparable(planned) == _comparable(standard), url


def _comparable(response: httpx.Response) -> tuple[Any, ...]:
    body: Any = response.text
    if response.headers.get("content-type", "").endswith("json"):
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
    headers = {k: v for k, v in response.headers.items() if k not in {"date", "x-request-id"}}
    return response.status_code, body, headers


async def test_every_route_is_included_as_it_was_declared(app_state: AppState) -> None:
    """The plan reads a route's own dependant: a router included with dependencies of its
    own (or another response class) would change what FastAPI's handler does and not the
    plan's. Every route of the app is included as declared."""
    async with api_client(app_state) as client:
        app: FastAPI = client._transport.app  # type: ignore[attr-defined]
        for context in iter_route_contexts(app.routes):
            declared = context.original_route
            if not isinstance(declared, APIRoute):
                continue
            included = [d.call for d in context.dependant.dependencies]
            assert included == [d.call for d in declared.dependant.dependencies], context.name
            assert context.response_class == declared.response_class, context.name
