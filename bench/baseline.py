"""The baseline: a minimal Starlette + asyncpg app answering Inkwell's hot reads with one statement.

    BENCH_DATABASE_URL=postgresql://... uvicorn bench.baseline:app --workers 2 --port 8101

For each measured endpoint it runs the single best SQL statement we know for it and returns the
same JSON as Inkwell, field for field (tests/bench/ checks that). It is what "the fastest thing
Python can do with the same SQL" means in docs/benchmarks.md: no ORM, no session, no
transaction, no dependency injection, no validation beyond what the URL needs; a warm asyncpg
pool whose connections plan every statement for its values (`plan_cache_mode`), JSON by
pydantic-core (Rust). Anonymous public reads only.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from pydantic_core import to_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from inkwell.core.markdown import highlight
from inkwell.posts.repository import (
    _HEADLINE_OPTIONS,
    COUNT_LIMIT,
    MARK_START,
    MARK_STOP,
    SEARCH_CANDIDATES,
)

MAX_PAGE_SIZE = 100

# The columns every post representation starts with; the same order as PostSummary.
_SUMMARY = """
    p.id, p.slug, p.title, p.summary, p.status::text AS status, p.published_at, p.reading_time,
    p.metadata, u.username, u.display_name, u.bio, u.avatar_url, u.created_at AS author_created_at,
    (SELECT coalesce(json_agg(json_build_object('name', t.name, 'slug', t.slug)
                              ORDER BY pt.position), '[]'::json)
       FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id) AS tags,
    p.comments_count, p.likes_count, p.bookmarks_count, p.views_count, p.created_at, p.updated_at,
    p.allow_comments, p.moderate_comments
"""
_LISTED = (
    "p.status IN ('published', 'scheduled') AND p.deleted_at IS NULL AND p.published_at <= now()"
)
_HAS_TAG = (
    "EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id "
    "AND pt.tag_id = (SELECT id FROM tags WHERE slug = $3))"
)

POST_BY_SLUG = f"""
SELECT {_SUMMARY}, p.content_html, p.content_json, p.version
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.slug = $1 AND p.deleted_at IS NULL
  AND p.status IN ('published', 'scheduled', 'archived') AND p.published_at <= now()
"""


def list_sql(tagged: bool) -> str:
    """A page of public posts (newest first) and the capped total, in one statement."""
    where = _LISTED + (f" AND {_HAS_TAG}" if tagged else "")
    return f"""
WITH page AS (
    SELECT p.id FROM posts p WHERE {where}
    ORDER BY p.published_at DESC, p.id DESC LIMIT $1 OFFSET $2
)
SELECT {_SUMMARY},
    (SELECT count(*) FROM (SELECT 1 FROM posts p WHERE {where} LIMIT {COUNT_LIMIT + 1}) c) AS total
FROM page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
ORDER BY p.published_at DESC, p.id DESC
"""


# The best of the newest SEARCH_CANDIDATES matches, as Inkwell ranks them.
SEARCH = f"""
WITH q AS (SELECT websearch_to_tsquery('english'::regconfig, $1) AS query),
matches AS MATERIALIZED (
    SELECT p.id, p.published_at, p.search_vector, count(*) OVER () AS total
    FROM posts p, q WHERE {_LISTED} AND p.search_vector @@ q.query
),
newest AS (
    SELECT * FROM matches ORDER BY published_at DESC, id DESC LIMIT {SEARCH_CANDIDATES}
),
best AS (
    SELECT n.id, ts_rank_cd(n.search_vector, q.query) AS rank, n.total
    FROM newest n, q ORDER BY rank DESC, n.published_at DESC, n.id DESC LIMIT $2 OFFSET $3
)
SELECT {_SUMMARY}, best.rank, best.total,
    ts_headline('english'::regconfig, p.content_raw, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM best JOIN posts p ON p.id = best.id JOIN users u ON u.id = p.author_id, q
ORDER BY best.rank DESC, p.published_at DESC, p.id DESC
"""


def summary(row: asyncpg.Record) -> dict[str, Any]:
    """A post in a list, as Inkwell's PostSummary serialises it."""
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "summary": row["summary"],
        "status": row["status"],
        "published_at": row["published_at"],
        "reading_time": row["reading_time"],
        "metadata": row["metadata"],
        "author": {
            "username": row["username"],
            "display_name": row["display_name"],
            "bio": row["bio"],
            "avatar_url": row["avatar_url"],
            "created_at": row["author_created_at"],
        },
        "tags": row["tags"],
        "comments_count": row["comments_count"],
        "likes_count": row["likes_count"],
        "bookmarks_count": row["bookmarks_count"],
        "views_count": row["views_count"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "allow_comments": row["allow_comments"],
        "moderate_comments": row["moderate_comments"],
        # The baseline serves anonymous readers, as the measured Inkwell requests are.
        "liked_by_me": False,
        "bookmarked_by_me": False,
    }


def cursor(row: asyncpg.Record, sort: str = "newest") -> str:
    """The keyset cursor after this row, as Inkwell encodes it."""
    published_at = row["published_at"].isoformat() if row["published_at"] else ""
    payload = json.dumps([sort, published_at, str(row["id"])])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(to_json(body), status, headers, media_type="application/json")


def _not_found() -> Response:
    return json_response({"status": 404, "code": "not_found"}, status=404)


def _page(request: Request) -> tuple[int, int] | None:
    try:
        page = int(request.query_params.get("page", "1"))
        size = int(request.query_params.get("page_size", "20"))
    except ValueError:
        return None
    if not (1 <= page <= 10_000 and 1 <= size <= MAX_PAGE_SIZE):
        return None
    return page, size


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


async def get_post(request: Request) -> Response:
    row = await _pool(request).fetchrow(POST_BY_SLUG, request.path_params["slug"])
    if row is None:
        return _not_found()
    body = summary(row) | {
        "content_html": row["content_html"],
        "content_raw": None,
        "content_json": row["content_json"],
        "version": row["version"],
    }
    return json_response(body, headers={"ETag": f'"{row["id"]}-{row["version"]}"'})


async def list_posts(request: Request) -> Response:
    paging = _page(request)
    if paging is None:
        return json_response({"status": 422}, status=422)
    page, size = paging
    tag = request.query_params.get("tag")
    arguments: list[Any] = [size, (page - 1) * size] + ([tag] if tag else [])
    rows = await _pool(request).fetch(list_sql(tagged=tag is not None), *arguments)
    total = rows[0]["total"] if rows else 0
    return json_response(
        {
            "items": [summary(row) for row in rows],
            "total": min(total, COUNT_LIMIT),
            "page": page,
            "page_size": size,
            "next_cursor": cursor(rows[-1]) if len(rows) == size else None,
            "total_is_exact": total <= COUNT_LIMIT,
        }
    )


async def search_posts(request: Request) -> Response:
    paging, q = _page(request), request.query_params.get("q", "")
    if paging is None:
        return json_response({"status": 422}, status=422)
    page, size = paging
    rows = await _pool(request).fetch(SEARCH, q, size, (page - 1) * size) if q.strip() else []
    items = [
        summary(row)
        | {
            "snippet": highlight(row["snippet"] or "", MARK_START, MARK_STOP),
            "rank": float(row["rank"]),
        }
        for row in rows
    ]
    total, reachable = (rows[0]["total"] if rows else 0), min(COUNT_LIMIT, SEARCH_CANDIDATES)
    return json_response(
        {
            "items": items,
            "total": min(total, reachable),
            "page": page,
            "page_size": size,
            "total_is_exact": total <= reachable,
        }
    )


async def health(_request: Request) -> Response:
    return json_response({"status": "ok"})


async def _init_connection(connection: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, schema="pg_catalog", encoder=json.dumps, decoder=json.loads
        )


async def create_pool(url: str, size: int) -> asyncpg.Pool:
    """A warm pool of `size` connections that plan each statement for its parameters."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url.replace("postgresql+asyncpg://", "postgresql://", 1),
        min_size=size,
        max_size=size,
        init=_init_connection,
        server_settings={
            "application_name": "inkwell-baseline",
            "timezone": "UTC",
            "plan_cache_mode": "force_custom_plan",
        },
    )
    return pool


Handler = Callable[[Request], Awaitable[Response]]
# One entry per measured endpoint; the scenarios in bench/scenarios.py name the same paths.
ROUTES: list[tuple[str, Handler]] = [
    ("/api/v1/posts", list_posts),
    ("/api/v1/posts/search", search_posts),
    ("/api/v1/posts/{slug}", get_post),
    ("/health/live", health),
]


def create_app(url: str | None = None, pool_size: int | None = None) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await create_pool(
            url or os.environ["BENCH_DATABASE_URL"],
            pool_size or int(os.environ.get("BENCH_POOL_SIZE", "10")),
        )
        yield
        await app.state.pool.close()

    routes = [Route(path, handler) for path, handler in ROUTES]
    return Starlette(routes=routes, lifespan=lifespan)


def app_factory() -> Starlette:
    """Entry point for `uvicorn --factory bench.baseline:app_factory`."""
    return create_app()
