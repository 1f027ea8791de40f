"""The baseline answers Inkwell's reads with the same JSON, field for field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from bench import baseline
from bench.generate import load
from inkwell.core import migrations
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def loaded(empty_database: str) -> str:
    """A small generated data set, committed (the baseline has connections of its own)."""
    migrations.upgrade(empty_database)
    url = empty_database.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(load(url, posts=60, authors=4, tags=6, seed=7, tags_per_post=3))
    return url


@pytest.fixture
async def clients(loaded: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = make_settings(loaded)
    state = AppState.build(settings)
    base = baseline.create_app(loaded, pool_size=2)
    base.state.pool = await baseline.create_pool(loaded, 2)
    inkwell = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, state=state)), base_url="http://i"
    )
    fast = httpx.AsyncClient(transport=httpx.ASGITransport(app=base), base_url="http://b")
    try:
        yield inkwell, fast
    finally:
        await inkwell.aclose()
        await fast.aclose()
        await base.state.pool.close()
        await state.close()


async def _both(pair: tuple[httpx.AsyncClient, httpx.AsyncClient], path: str) -> list[Any]:
    answers = [await client.get(path) for client in pair]
    assert [a.status_code for a in answers] == [200, 200], path
    return [a.json() for a in answers]


async def _pick(url: str, sql: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        return str(await connection.fetchval(sql))
    finally:
        await connection.close()


async def test_a_post_is_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    slug = await _pick(
        loaded,
        "SELECT slug FROM posts WHERE status = 'published' AND deleted_at IS NULL "
        "AND published_at <= now() ORDER BY slug LIMIT 1",
    )
    mine, theirs = await _both(clients, f"/api/v1/posts/{slug}")
    assert len(mine["tags"]) == 3
    assert mine == theirs


async def test_lists_and_the_tag_filter_are_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    tag = await _pick(loaded, "SELECT slug FROM tags ORDER BY slug LIMIT 1")
    for path in ("/api/v1/posts", "/api/v1/posts?page=2&page_size=7", f"/api/v1/posts?tag={tag}"):
        mine, theirs = await _both(clients, path)
        assert mine["items"], path
        assert mine == theirs, path


async def test_search_is_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    word = await _pick(
        loaded,
        "SELECT word FROM ts_stat('SELECT search_vector FROM posts') WHERE word ~ '^[a-z]{4,}$' "
        "ORDER BY ndoc DESC, word LIMIT 1",
    )
    mine, theirs = await _both(clients, f"/api/v1/posts/search?q={word}")
    assert mine["items"]
    assert mine == theirs


async def test_an_unknown_post_is_a_404(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    assert (await clients[1].get("/api/v1/posts/no-such-post")).status_code == 404
    assert (await clients[1].get("/api/v1/posts?page=0")).status_code == 422
