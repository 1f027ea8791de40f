"""PrefixRouter: paths under an excluded prefix pass it by and reach the routes after it."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from inkwell.core.routing import PrefixRouter


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
