"""The baseline answers Inkwell's reads with the same JSON, field for field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from bench import baseline
from bench.generate import BENCH_PASSWORD, load
from inkwell.core import migrations
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def loaded(empty_database: str) -> str:
    """A small generated data set, committed (the baseline has connections of its own)."""
    migrations.upgrade(empty_database)
    url = empty_database.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(
        load(
            url,
            posts=60,
            authors=4,
            tags=6,
            seed=7,
            tags_per_post=3,
            comments=300,
            follows=(2, 3),
        )
    )
    return url


@pytest.fixture
async def clients(loaded: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = make_settings(loaded)
    state = AppState.build(settings)
    secret = settings.jwt_secret.get_secret_value()
    base = baseline.create_app(loaded, pool_size=2, jwt_secret=secret)
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


async def _both(
    pair: tuple[httpx.AsyncClient, httpx.AsyncClient], path: str, token: str | None = None
) -> list[Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answers = [await client.get(path, headers=headers) for client in pair]
    assert [a.status_code for a in answers] == [200, 200], path
    return [a.json() for a in answers]


async def _pick(url: str, sql: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        return str(await connection.fetchval(sql))
    finally:
        await connection.close()


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _sign_in(inkwell: httpx.AsyncClient, username: str) -> dict[str, str]:
    answer = await inkwell.post(
        "/api/v1/auth/login", json={"login": username, "password": BENCH_PASSWORD}
    )
    assert answer.status_code == 200
    tokens: dict[str, str] = answer.json()
    return tokens


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


# Three public posts in a series, the middle one featured with a co-author, and metadata that
# sets its sharing fields: what a single post and a list show of series, authors and SEO.
_EDITORIAL = """
WITH picked AS (
    SELECT id, author_id, row_number() OVER (ORDER BY slug) AS n FROM posts
    WHERE status = 'published' AND deleted_at IS NULL AND published_at <= now()
    ORDER BY slug LIMIT 3
), made AS (
    INSERT INTO series (id, owner_id, slug, title, description)
    SELECT gen_random_uuid(), author_id, 'a-series', 'A Series', '' FROM picked WHERE n = 1
    RETURNING id
), linked AS (
    INSERT INTO series_posts (series_id, post_id, position)
    SELECT made.id, picked.id, picked.n FROM made, picked
), coauthor AS (
    INSERT INTO post_authors (post_id, user_id, position)
    SELECT picked.id, (SELECT id FROM users WHERE id <> picked.author_id ORDER BY username
                       LIMIT 1), 1
    FROM picked WHERE n = 2
)
UPDATE posts SET featured_at = now(),
    metadata = metadata || '{"meta_title": "Shared title", "twitter_card": "summary"}'
WHERE id = (SELECT id FROM picked WHERE n = 2)
"""


async def test_series_co_authors_featuring_and_sharing_fields_are_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    await _execute(loaded, _EDITORIAL)
    slug = await _pick(loaded, "SELECT slug FROM posts WHERE featured_at IS NOT NULL")
    mine, theirs = await _both(clients, f"/api/v1/posts/{slug}")
    assert mine["series"]["position"] == 2
    assert mine["series"]["previous"] is not None
    assert mine["series"]["next"] is not None
    assert len(mine["authors"]) == 2
    assert mine["seo"]["title"] == "Shared title"
    assert mine == theirs
    featured = (await clients[0].get("/api/v1/posts?featured=true")).json()
    assert [item["slug"] for item in featured["items"]] == [slug]
    mine, theirs = await _both(clients, "/api/v1/posts?page_size=100")
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


# The post with the most comments, its newest thread with replies made a placeholder
# (hidden, so only its replies show) and one reply deleted: the rules for what a reader sees.
_MODERATE = """
WITH busiest AS (SELECT id FROM posts ORDER BY comments_count DESC, id LIMIT 1),
hidden AS (
    UPDATE comments SET status = 'hidden' WHERE id = (
        SELECT c.id FROM comments c, busiest b
        WHERE c.post_id = b.id AND c.parent_id IS NULL
          AND EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id)
        ORDER BY c.created_at DESC LIMIT 1)
    RETURNING id
)
UPDATE comments SET deleted_at = now() WHERE id = (
    SELECT c.id FROM comments c, busiest b
    WHERE c.post_id = b.id AND c.parent_id IS NOT NULL ORDER BY c.id LIMIT 1)
"""


async def test_comment_threads_are_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    await _execute(loaded, _MODERATE)
    slug = await _pick(loaded, "SELECT slug FROM posts ORDER BY comments_count DESC, id LIMIT 1")
    for query in ("", "?page=2&page_size=3"):
        mine, theirs = await _both(clients, f"/api/v1/posts/{slug}/comments{query}")
        assert mine["items"], query
        assert mine == theirs, query
    mine, _ = await _both(clients, f"/api/v1/posts/{slug}/comments")
    assert any(item["replies"] for item in mine["items"])
    assert any(item["author"] is None for item in mine["items"])  # the placeholder
    quiet = await _pick(
        loaded,
        "SELECT slug FROM posts WHERE status = 'published' AND deleted_at IS NULL "
        "AND comments_count = 0 ORDER BY slug LIMIT 1",
    )
    mine, theirs = await _both(clients, f"/api/v1/posts/{quiet}/comments")
    assert mine == theirs
    assert mine["items"] == []


async def test_the_feed_is_the_same_json(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    tokens = await _sign_in(clients[0], "author0")
    mine, theirs = await _both(clients, "/api/v1/feed", tokens["access_token"])
    assert mine["items"]
    assert mine == theirs
    mine, theirs = await _both(clients, "/api/v1/feed?page_size=5", tokens["access_token"])
    assert mine["next_cursor"]
    assert mine == theirs


async def test_the_feed_refuses_what_inkwell_refuses(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    tokens = await _sign_in(clients[0], "author1")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    logout = await clients[0].post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert logout.status_code == 204
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, bearer):
        answers = [await client.get("/api/v1/feed", headers=headers) for client in clients]
        assert [a.status_code for a in answers] == [401, 401], headers


async def test_realworld_articles_are_the_same_json(
    loaded: str, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    for path in ("/api/articles", "/api/articles?limit=7&offset=14"):
        mine, theirs = await _both(clients, path)
        assert mine["articles"], path
        assert mine == theirs, path
    slug = await _pick(
        loaded,
        "SELECT slug FROM posts WHERE status = 'published' AND deleted_at IS NULL "
        "AND published_at <= now() ORDER BY slug LIMIT 1",
    )
    mine, theirs = await _both(clients, f"/api/articles/{slug}")
    assert mine["article"]["body"]
    assert mine == theirs


async def test_the_data_set_has_true_counters_threads_and_follows(loaded: str) -> None:
    connection = await asyncpg.connect(loaded)
    try:
        wrong_counts = await connection.fetchval(
            "SELECT count(*) FROM posts p WHERE comments_count <> "
            "(SELECT count(*) FROM comments c WHERE c.post_id = p.id)"
        )
        broken_threads = await connection.fetchval(
            "SELECT count(*) FROM comments c LEFT JOIN comments parent ON parent.id = c.parent_id "
            "WHERE c.depth <> coalesce(parent.depth + 1, 0) "
            "OR c.root_id <> coalesce(parent.root_id, c.id) "
            "OR c.path <> coalesce(parent.path || '.', '') || replace(c.id::text, '-', '')"
        )
        follows = await connection.fetch("SELECT count(*) AS n FROM follows GROUP BY follower_id")
        replies = await connection.fetchval("SELECT count(*) FROM comments WHERE depth > 1")
    finally:
        await connection.close()
    assert (wrong_counts, broken_threads) == (0, 0)
    assert len(follows) == 4
    assert all(2 <= row["n"] <= 3 for row in follows)
    assert replies > 0
