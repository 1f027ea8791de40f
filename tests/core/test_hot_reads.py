"""Hot reads (core/hot_reads.py): anonymous GETs of a post, a RealWorld article, a post's
comments and the two lists of posts answer exactly what the plain path answers, and every
other request takes the plain path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Cookie, FastAPI, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.auth.dependencies import optional_user
from inkwell.comments.dependencies import comment_service
from inkwell.comments.router import _THREAD_PARAMS
from inkwell.core import hot_reads
from inkwell.core.clock import utcnow
from inkwell.core.hot_reads import HotRoute
from inkwell.core.state import AppState
from inkwell.posts.dependencies import post_service
from inkwell.posts.router import _LIST_PARAMS
from inkwell.realworld.dependencies import lenient_user
from inkwell.realworld.dependencies import optional_user as realworld_optional_user
from tests.conftest import api_client
from tests.factories import create_comment, create_post, create_user, signed_in_headers

# What each route's dependencies come to for a caller without credentials, which its anonymous
# variant stands in for. A new dependency on one of these routes fails this test: give the
# variant what the dependency would give an anonymous caller, then add it here.
STANDS_IN_FOR: dict[str, list[Callable[..., Any]]] = {
    "/api/v1/posts/{id_or_slug}": [optional_user, post_service],
    "/api/articles/{slug}": [lenient_user, post_service],
    "/api/v1/posts/{post}/comments": [_THREAD_PARAMS, optional_user, comment_service],
    "/api/v1/posts": [_LIST_PARAMS, optional_user, post_service],
    "/api/articles": [realworld_optional_user, post_service],
}


def _hot_routes(app: FastAPI) -> dict[str, HotRoute]:
    return {r.path_format: r for r in app.router.routes if isinstance(r, HotRoute)}


@pytest.fixture(autouse=True)
def hot(app_state: AppState) -> Iterator[None]:
    """Hot reads on, whatever the environment says (CI's second run turns them off)."""
    settings = app_state.settings
    app_state.settings = settings.model_copy(update={"hot_reads": True})
    yield
    app_state.settings = settings


@pytest.fixture
async def seeded(app_state: AppState, session: AsyncSession) -> dict[str, str]:
    author = await create_user(session, username="hotauthor")
    reader = await create_user(session, username="hotreader")
    post = await create_post(session, author, title="Hot Read", tags=["heat", "reads"])
    renamed = await create_post(session, author, title="Old Name")
    draft = await create_post(session, author, title="Hot Draft", status="draft")
    later = utcnow() + timedelta(days=2)
    scheduled = await create_post(
        session, author, title="Hot Later", status="scheduled", published_at=later
    )
    root = await create_comment(session, post, reader, content="First **root**.")
    await create_comment(session, post, author, content="A reply.", parent=root)
    await create_comment(session, post, reader, content="Second root.")
    headers = await signed_in_headers(app_state, reader)
    async with api_client(app_state) as client:
        changed = await client.patch(
            f"/api/v1/posts/{renamed.id}",
            json={"slug": "new-name"},
            headers={**(await signed_in_headers(app_state, author)), "If-Match": "*"},
        )
        assert changed.status_code == 200, changed.text
    return {
        "slug": post.slug,
        "id": str(post.id),
        "old": renamed.slug,
        "draft": draft.slug,
        "scheduled": scheduled.slug,
        "token": headers["Authorization"],
    }


def _urls(seeded: dict[str, str]) -> list[str]:
    """Good and bad requests of each hot route: found, by id, an old slug, not visible, not
    there, a parameter too long or not a slug, and the comments' query parameters."""
    refs = [
        seeded["slug"],
        seeded["id"],
        seeded["old"],
        seeded["draft"],
        seeded["scheduled"],
        "no-such-post",
        "x" * 201,
        "Not%20A%20Slug",
        "%00",
    ]
    urls = []
    for ref in refs:
        urls += [f"/api/v1/posts/{ref}", f"/api/articles/{ref}", f"/api/v1/posts/{ref}/comments"]
    comments = f"/api/v1/posts/{seeded['slug']}/comments"
    urls += [
        f"{comments}?sort=oldest&page_size=1",
        f"{comments}?page=2&page_size=1",
        f"{comments}?order=oldest",
        f"{comments}?page=0",
        f"{comments}?page_size=1000&sort=sideways",
        f"{comments}?since=0",
        f"{comments}?since=x",
        f"/api/v1/posts/{seeded['slug']}?ignored=1",
        f"/api/articles/{seeded['slug']}?ignored=1",
        f"/api/v1/posts/{seeded['slug']}/",
        "/api/v1/posts",
        "/api/v1/posts?tag=heat&sort=oldest&page_size=2",
        "/api/v1/posts?author=hotauthor&status=draft",
        "/api/v1/posts?page=0&sort=sideways",
        "/api/v1/posts?cursor=not-a-cursor",
        "/api/v1/posts?q=hot&sort=relevance",
        "/api/articles",
        "/api/articles?tag=heat&limit=1&offset=1",
        "/api/articles?author=hotauthor&favorited=hotreader",
        "/api/articles?limit=-1",
        "/api/articles?limit=x&offset=y",
        "/api/articles?tag=" + "t" * 300,
    ]
    return urls


def _comparable(response: httpx.Response) -> tuple[Any, ...]:
    body: Any = response.text
    if response.headers.get("content-type", "").endswith("json"):
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
    headers = {k: v for k, v in response.headers.items() if k not in {"date", "x-request-id"}}
    return response.status_code, body, headers


async def test_hot_reads_answer_what_the_plain_path_answers(
    app_state: AppState, seeded: dict[str, str]
) -> None:
    urls = _urls(seeded)
    async with api_client(app_state) as client:
        hot = [await client.get(url) for url in urls]
        etags = {url: r.headers.get("etag") for url, r in zip(urls, hot, strict=True)}
        revalidated = [
            await client.get(url, headers={"If-None-Match": etag})
            for url, etag in etags.items()
            if etag
        ]
    app_state.settings = app_state.settings.model_copy(update={"hot_reads": False})
    async with api_client(app_state) as client:
        assert _hot_routes(client._transport.app) == {}  # type: ignore[attr-defined]
        plain = [await client.get(url) for url in urls]
        plain_revalidated = [
            await client.get(url, headers={"If-None-Match": etag})
            for url, etag in etags.items()
            if etag
        ]
    statuses = {r.status_code for r in hot}
    assert {200, 301, 404, 422} <= statuses
    assert {r.status_code for r in revalidated} == {304}
    for url, fast, slow in zip(urls, hot, plain, strict=True):
        assert _comparable(fast) == _comparable(slow), url
    for fast, slow in zip(revalidated, plain_revalidated, strict=True):
        assert _comparable(fast) == _comparable(slow)


@pytest.fixture
async def counted(
    app_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """A client whose hot routes note each request they serve."""
    served: list[str] = []
    async with api_client(app_state) as client:
        for path, route in _hot_routes(client._transport.app).items():  # type: ignore[attr-defined]
            variant = route.variant

            async def noted(request: Any, _variant: Any = variant, **values: Any) -> Any:
                served.append(request.url.path)
                return await _variant(request, **values)

            monkeypatch.setattr(route, "variant", noted)
            assert path in STANDS_IN_FOR
        yield client, served


async def test_anonymous_reads_take_the_hot_routes(
    counted: tuple[httpx.AsyncClient, list[str]], seeded: dict[str, str]
) -> None:
    client, served = counted
    urls = [
        f"/api/v1/posts/{seeded['slug']}",
        f"/api/articles/{seeded['slug']}",
        f"/api/v1/posts/{seeded['slug']}/comments",
        "/api/v1/posts?tag=heat",
        "/api/articles?limit=5",
    ]
    for url in urls:
        assert (await client.get(url)).status_code == 200
    assert served == [url.partition("?")[0] for url in urls]


async def test_credentials_overrides_and_other_methods_take_the_plain_path(
    counted: tuple[httpx.AsyncClient, list[str]], seeded: dict[str, str]
) -> None:
    client, served = counted
    url = f"/api/v1/posts/{seeded['slug']}"
    signed_in = await client.get(url, headers={"Authorization": seeded["token"]})
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"].startswith("private")
    bad_token = await client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert bad_token.status_code == 401
    expired_article = await client.get(
        f"/api/articles/{seeded['slug']}", headers={"Authorization": "Token not-a-token"}
    )
    assert expired_article.status_code == 200  # RealWorld reads it anonymously, the plain way
    assert (await client.head(url)).status_code in {200, 405}
    # Routes declared before a hot route's own keep their paths: the feed is not a slug.
    assert (await client.get("/api/articles/feed")).status_code == 401
    search = await client.get("/api/v1/posts/search?q=hot")
    assert search.status_code == 200
    assert "total_is_exact" in search.json()  # search's answer, not a post's 404
    assert (await client.get(f"/api/v1/posts/{'x' * 201}")).status_code == 422
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    app.dependency_overrides[object] = object
    try:
        assert (await client.get(url)).status_code == 200
    finally:
        app.dependency_overrides.clear()
    assert served == []


async def test_each_variant_stands_in_for_every_dependency_of_its_route(
    app_state: AppState,
) -> None:
    async with api_client(app_state) as client:
        hot = _hot_routes(client._transport.app)  # type: ignore[attr-defined]
    assert set(hot) == set(STANDS_IN_FOR)
    for path, route in hot.items():
        assert isinstance(route.route, APIRoute)
        calls = [dependency.call for dependency in route.route.dependant.dependencies]
        assert calls == STANDS_IN_FOR[path], path


def test_a_route_reading_cookies_cannot_have_a_variant() -> None:
    app = FastAPI()

    @app.get("/things/{name}")
    async def thing(name: str, theme: Annotated[str, Cookie()] = "light") -> Response:
        return Response(f"{name} {theme}")

    route = next(r for r in app.routes if isinstance(r, APIRoute))
    with pytest.raises(ValueError, match="path, query and header parameters"):
        HotRoute(route, "/things/{name}", thing)


@pytest.mark.parametrize(
    ("one", "other", "overlap"),
    [
        ("/api/articles/feed", "/api/articles/{slug}", True),
        ("/api/articles/{slug}", "/api/articles/{slug}/comments", False),
        ("/api/v1/posts/search", "/api/v1/users/{name}", False),
        ("/media/{path:path}", "/api/articles/{slug}", True),
        ("/api/v1/{kind}/x", "/api/v1/posts/{ref}", True),
    ],
)
def test_which_earlier_routes_may_take_a_hot_routes_paths(
    one: str, other: str, overlap: bool
) -> None:
    assert hot_reads._may_overlap(one, other) is overlap
