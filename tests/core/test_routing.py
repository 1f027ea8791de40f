"""PrefixRouter: paths under an excluded prefix pass it by and reach the routes after it."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from inkwell.core.routing import PrefixRouter, route_path


async def test_an_excluded_path_passes_the_router_by() -> None:
    app = FastAPI()
    router = PrefixRouter(prefix="/api", excluded=("/api/v1",))

    @router.get("/{first}/{second}")
    async def catch_all(first: str, second: str) -> str:
        return f"prefix router: {first}/{second}"

    app.include_router(router)

    @app.get("/api/v1/posts")
    async def posts() -> str:
        return "v1"

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # Without the exclusion the catch-all, tried first, would answer this one.
        assert (await client.get("/api/v1/posts")).json() == "v1"
        assert (await client.get("/api/articles/feed")).json() == "prefix router: articles/feed"
        assert (await client.get("/other/x")).status_code == 404


@pytest.mark.parametrize(
    ("path", "root_path", "expected"),
    [
        ("/api/v1/posts", "", "/api/v1/posts"),
        ("/blog/api/v1/posts", "/blog", "/api/v1/posts"),
        ("/blog", "/blog", ""),
        ("/blogs/api", "/blog", "/blogs/api"),  # a longer name, not under the mount point
        ("/api/v1/posts", "/blog", "/api/v1/posts"),
    ],
)
def test_route_path_drops_the_mount_point(path: str, root_path: str, expected: str) -> None:
    assert route_path({"type": "http", "path": path, "root_path": root_path}) == expected


def _allowed(response: httpx.Response) -> set[str]:
    assert response.status_code == 405, response.text
    return {method.strip() for method in response.headers["allow"].split(",")}


async def test_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    post = "/api/v1/posts/0192f5c8-1f5a-7c3e-9a4b-3c2d1e0f9a8b"
    assert _allowed(await client.options("/api/v1/posts")) == {"GET", "POST"}
    assert _allowed(await client.post(post)) == {"GET", "PATCH", "PUT", "DELETE"}
    assert _allowed(await client.put("/api/v1/users/me")) == {"GET", "PATCH", "DELETE"}
    refused = await client.post("/api/articles/some-slug")
    assert _allowed(refused) == {"GET", "PUT", "DELETE"}
    assert set(refused.json()) == {"errors"}  # RealWorld's error format


async def test_a_static_path_is_not_shadowed_by_a_pattern(client: httpx.AsyncClient) -> None:
    search = await client.put("/api/v1/posts/search", json={})
    assert _allowed(search) == {"GET"}
    assert search.headers["content-type"] == "application/problem+json"
    assert search.json()["code"] == "method_not_allowed"
    assert _allowed(await client.delete("/api/articles/feed")) == {"GET"}
    assert _allowed(await client.post("/api/v1/users/me")) == {"GET", "PATCH", "DELETE"}


async def test_allow_matches_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        url = re.sub(r"\{[^}]+\}", "0192f5c8-1f5a-7c3e-9a4b-3c2d1e0f9a8b", path)
        documented = {method.upper() for method in operations}
        allowed = _allowed(await client.options(url))
        assert allowed == documented, path
