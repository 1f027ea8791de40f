"""The baseline: a minimal Starlette + asyncpg app answering Inkwell's hot reads with one statement.

    BENCH_DATABASE_URL=postgresql://... uvicorn bench.baseline:app --workers 2 --port 8101

For each measured endpoint it runs the single best SQL statement we know for it and returns the
same JSON as Inkwell, field for field (tests/bench/ checks that). It is what "the fastest thing
Python can do with the same SQL" means in docs/benchmarks.md: no ORM, no session, no
transaction, no dependency injection, no validation beyond what the URL needs; a warm asyncpg
pool with PostgreSQL's default plan caching (the fastest for each of its statements, as
bench/plan_modes.py measures), JSON by pydantic-core (Rust). Anonymous public reads, and the
feed, whose bearer token it checks as Inkwell does: the app's own JWT check (BENCH_JWT_SECRET
must be Inkwell's secret), then the user and session in the feed's statement.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import SecretStr
from pydantic_core import to_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from inkwell.core.config import Settings
from inkwell.core.markdown import highlight
from inkwell.core.security import InvalidToken, TokenCodec
from inkwell.posts.reads import COUNT_LIMIT
from inkwell.posts.search import (
    _HEADLINE_OPTIONS,
    MARK_START,
    MARK_STOP,
    SEARCH_CANDIDATES,
)
from inkwell.posts.seo import META_DESCRIPTION_CHARS, META_TITLE_CHARS, PageLinks
from inkwell.realworld.schemas import conduit_time

MAX_PAGE_SIZE = 100

# The columns every post representation starts with; the same order as PostSummary.
_SUMMARY = """
    p.id, p.slug, p.title, p.summary, p.status::text AS status, p.published_at, p.reading_time,
    p.metadata, u.username, u.display_name, u.bio, u.avatar_url, u.created_at AS author_created_at,
    (SELECT coalesce(json_agg(json_build_object('name', t.name, 'slug', t.slug)
                              ORDER BY pt.position), '[]'::json)
       FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id) AS tags,
    p.comments_count, p.likes_count, p.bookmarks_count, p.views_count, p.created_at, p.updated_at,
    p.allow_comments, p.moderate_comments, p.cover, p.featured_at,
    (SELECT json_agg((SELECT json_build_object('username', a.username,
                              'display_name', a.display_name, 'bio', a.bio,
                              'avatar_url', a.avatar_url, 'created_at', a.created_at)
                      FROM users a WHERE a.id = pa.user_id) ORDER BY pa.position)
       FROM post_authors pa WHERE pa.post_id = p.id) AS coauthors
"""
_LISTED = (
    "p.status IN ('published', 'scheduled') AND p.deleted_at IS NULL AND p.published_at <= now()"
)
# Since migration 0013, post_tags.listed_at is the post's published_at while it is listed: a
# tag's page and its capped count read ix_post_tags_listed alone.
_TAG_LISTED = "pt.tag_id = (SELECT id FROM tags WHERE slug = $3) AND pt.listed_at <= now()"
# The number of listed posts the database keeps (scheduled ones included), less those whose
# time has not come.
_LISTED_TOTAL = (
    "(SELECT coalesce((SELECT value FROM post_counts WHERE name = 'listed'), 0)"
    " - (SELECT count(*) FROM posts p WHERE p.status IN ('published', 'scheduled')"
    " AND p.deleted_at IS NULL AND p.published_at > now()))"
)

_PUBLIC = "{p}.status IN ('published', 'scheduled', 'archived') AND {p}.deleted_at IS NULL"
# The post's series, its place among the series' posts anyone may read (and itself), and its
# readable neighbours, in one pass of window functions.
_SERIES = f"""
(SELECT json_build_object('id', s.id, 'slug', s.slug, 'title', s.title,
        'position', m.position, 'count', m.count, 'previous', m.previous, 'next', m.next)
   FROM series_posts link JOIN series s ON s.id = link.series_id
   JOIN LATERAL (
       SELECT o.post_id, row_number() OVER w AS position, count(*) OVER () AS count,
           lag(json_build_object('slug', q.slug, 'title', q.title)) OVER w AS previous,
           lead(json_build_object('slug', q.slug, 'title', q.title)) OVER w AS next
       FROM series_posts o JOIN posts q ON q.id = o.post_id
       WHERE o.series_id = link.series_id
         AND (({_PUBLIC.format(p="q")} AND q.published_at <= now()) OR q.id = link.post_id)
       WINDOW w AS (ORDER BY o.position)
   ) m ON m.post_id = link.post_id
  WHERE link.post_id = p.id) AS series
"""

POST_BY_SLUG = f"""
SELECT {_SUMMARY}, p.content_html, p.content_json, p.version, {_SERIES}
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.slug = $1 AND p.deleted_at IS NULL
  AND p.status IN ('published', 'scheduled', 'archived') AND p.published_at <= now()
"""


def list_sql(tagged: bool) -> str:
    """A page of public posts (newest first) and the total (capped for a tag), in one
    statement."""
    if tagged:
        page = f"""
    SELECT pt.post_id AS id FROM post_tags pt WHERE {_TAG_LISTED}
    ORDER BY pt.listed_at DESC, pt.post_id DESC LIMIT $1 OFFSET $2"""
        total = (
            f"(SELECT count(*) FROM (SELECT 1 FROM post_tags pt WHERE {_TAG_LISTED}"
            f" LIMIT {COUNT_LIMIT + 1}) c)"
        )
    else:
        page = f"""
    SELECT p.id FROM posts p WHERE {_LISTED}
    ORDER BY p.published_at DESC, p.id DESC LIMIT $1 OFFSET $2"""
        total = _LISTED_TOTAL
    return f"""
WITH page AS ({page}
)
SELECT {_SUMMARY}, {total} AS total
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


# A post's comment threads: the page of roots the reader can see (or that lead to replies
# they can see), each followed by its whole thread in path order. The outer row exists for
# a post without comments, so no row at all means no such post.
_SHOWN = "{c}.deleted_at IS NULL AND {c}.status = 'visible'"
COMMENT_THREADS = f"""
WITH post AS (
    SELECT p.id, p.comments_count FROM posts p
    WHERE p.slug = $1 AND p.deleted_at IS NULL
      AND p.status IN ('published', 'scheduled', 'archived') AND p.published_at <= now()
),
roots AS (
    SELECT c.id, c.created_at, count(*) OVER () AS threads
    FROM post JOIN comments c ON c.post_id = post.id
    WHERE c.parent_id IS NULL AND ({_SHOWN.format(c="c")} OR EXISTS (
        SELECT 1 FROM comments r
        WHERE r.root_id = c.id AND r.id <> c.id AND {_SHOWN.format(c="r")}))
    ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3
)
SELECT post.comments_count, roots.threads, c.id, c.number, c.post_id, c.parent_id, c.depth,
    c.status::text AS status, c.deleted_at IS NOT NULL AS deleted,
    {_SHOWN.format(c="c")} AS shown, c.content_html, u.username, u.display_name, u.avatar_url,
    c.created_at, c.updated_at, c.edited_at
FROM post LEFT JOIN (
    roots JOIN comments c ON c.root_id = roots.id
    LEFT JOIN users u ON u.id = c.author_id AND u.deleted_at IS NULL
) ON true
ORDER BY roots.created_at DESC, roots.id DESC, c.path
"""

# The feed: the caller's user and session checked as the app's access-token check does,
# the newest listed posts of each followed author (LATERAL, as Inkwell reads them), merged,
# with the caller's like and bookmark flags. No row: the token's user or session is gone.
FEED = f"""
WITH me AS (
    SELECT u.id FROM users u
    WHERE u.id = $1 AND u.deleted_at IS NULL AND u.is_active AND u.token_version = $2
      AND ($3::uuid IS NULL OR EXISTS (
          SELECT 1 FROM user_sessions s
          WHERE s.id = $3 AND s.revoked_at IS NULL AND s.expires_at > now()))
),
page AS (
    SELECT newest.id, newest.published_at
    FROM me JOIN follows f ON f.follower_id = me.id CROSS JOIN LATERAL (
        SELECT p.id, p.published_at FROM posts p
        WHERE p.author_id = f.followee_id AND {_LISTED}
        ORDER BY p.published_at DESC, p.id DESC LIMIT $4
    ) newest
    ORDER BY newest.published_at DESC, newest.id DESC LIMIT $4
)
SELECT {_SUMMARY},
    EXISTS (SELECT 1 FROM likes l WHERE l.user_id = me.id AND l.post_id = p.id) AS liked,
    EXISTS (SELECT 1 FROM bookmarks b WHERE b.user_id = me.id AND b.post_id = p.id) AS kept
FROM me LEFT JOIN (
    page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
) ON true
ORDER BY page.published_at DESC, page.id DESC
"""

# RealWorld: an article's fields; createdAt is when it became public, updatedAt never earlier.
_ARTICLE = """
    p.slug, p.title, p.summary, p.likes_count, u.username, u.bio, u.avatar_url,
    coalesce(p.published_at, p.created_at) AS created,
    greatest(coalesce(p.published_at, p.created_at), p.updated_at) AS updated,
    ARRAY(SELECT (SELECT t.name FROM tags t WHERE t.id = pt.tag_id)
          FROM post_tags pt WHERE pt.post_id = p.id ORDER BY pt.position) AS tag_list
"""
# A page of listed articles, newest first, and the exact number of them (the contract's
# articlesCount); the outer row carries the count even past the last page.
RW_ARTICLES = f"""
WITH page AS (
    SELECT p.id FROM posts p WHERE {_LISTED}
    ORDER BY p.published_at DESC, p.id DESC LIMIT $1 OFFSET $2
)
SELECT total.n AS total, {_ARTICLE}
FROM (SELECT {_LISTED_TOTAL} AS n) total LEFT JOIN (
    page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
) ON true
ORDER BY p.published_at DESC, p.id DESC
"""
RW_ARTICLE = f"""
SELECT {_ARTICLE}, p.content_raw
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.slug = $1 AND p.deleted_at IS NULL
  AND p.status IN ('published', 'scheduled', 'archived') AND p.published_at <= now()
"""


def _profile(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "username": row["username"],
        "display_name": row["display_name"],
        "bio": row["bio"],
        "avatar_url": row["avatar_url"],
        "created_at": row["author_created_at"],
    }


def _authors(row: asyncpg.Record) -> list[dict[str, Any]]:
    """The primary author, then the co-authors (their times parsed from JSON)."""
    coauthors = [
        author | {"created_at": datetime.fromisoformat(author["created_at"])}
        for author in row["coauthors"] or ()
    ]
    return [_profile(row), *coauthors]


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
        "author": _profile(row),
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
        "cover": row["cover"],
        "authors": _authors(row),
        "featured": row["featured_at"] is not None,
        "featured_at": row["featured_at"],
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def sharing(row: asyncpg.Record, links: PageLinks) -> dict[str, Any]:
    """`seo`, `open_graph` and `twitter` of a single post, from its metadata and columns."""
    meta, cover = row["metadata"], row["cover"] or {}
    image = meta.get("og_image_url") or (cover.get("original") or {}).get("url")
    image = image or meta.get("cover_image")
    image_url = links.absolute(str(image)) if image else None
    title = meta.get("meta_title") or meta.get("seo_title") or row["title"]
    description = meta.get("meta_description") or meta.get("seo_description") or row["summary"]
    title, description = _cut(title, META_TITLE_CHARS), _cut(description, META_DESCRIPTION_CHARS)
    url = meta.get("canonical_url") or links.post(row["slug"])
    card = meta.get("twitter_card") or ("summary_large_image" if image else "summary")
    tags = {"title": title, "description": description}
    return {
        "seo": tags | {"canonical_url": url, "image_url": image_url, "twitter_card": card},
        "open_graph": {
            "og:type": "article",
            **{f"og:{name}": value for name, value in tags.items()},
            "og:url": url,
            "og:image": image_url,
            "article:published_time": row["published_at"],
            "article:modified_time": row["updated_at"],
            "article:author": f"{links.pages}/users/{row['username']}",
            "article:tag": [tag["name"] for tag in row["tags"]],
        },
        "twitter": {
            "twitter:card": card,
            **{f"twitter:{name}": value for name, value in tags.items()},
            "twitter:image": image_url,
        },
    }


def comment(row: asyncpg.Record) -> dict[str, Any]:
    """A comment as an anonymous reader gets it; a placeholder has no content and no author."""
    shown = row["shown"]
    author = {
        "username": row["username"],
        "display_name": row["display_name"],
        "avatar_url": row["avatar_url"],
    }
    return {
        "id": row["id"],
        "number": row["number"],
        "post_id": row["post_id"],
        "parent_id": row["parent_id"],
        "depth": row["depth"],
        "status": row["status"],
        "deleted": row["deleted"],
        "content_html": row["content_html"] if shown else None,
        "content_raw": None,
        "author": author if shown and row["username"] is not None else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "edited_at": row["edited_at"],
        "replies": [],
    }


def threads(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """Nest the rows (roots, each followed by its thread in path order) into trees."""
    nodes: dict[Any, dict[str, Any]] = {}
    roots = []
    for row in rows:
        node = nodes[row["id"]] = comment(row)
        if row["parent_id"] is None:
            roots.append(node)
        elif (parent := nodes.get(row["parent_id"])) is not None:
            parent["replies"].append(node)
    return [root for root in roots if _prune(root)]


def _prune(node: dict[str, Any]) -> bool:
    """Keep a comment the reader sees, or a placeholder with a reply the reader sees."""
    node["replies"] = [reply for reply in node["replies"] if _prune(reply)]
    return node["content_html"] is not None or bool(node["replies"])


def article(row: asyncpg.Record) -> dict[str, Any]:
    """A RealWorld article in a list (no body), for an anonymous reader."""
    return {
        "slug": row["slug"],
        "title": row["title"],
        "description": row["summary"],
        "tagList": row["tag_list"],
        "createdAt": conduit_time(row["created"]),
        "updatedAt": conduit_time(row["updated"]),
        "favorited": False,
        "favoritesCount": row["likes_count"],
        "author": {
            "username": row["username"],
            "bio": row["bio"],
            "image": row["avatar_url"],
            "following": False,
        },
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
        "series": row["series"],
        **sharing(row, request.app.state.links),
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


async def list_comments(request: Request) -> Response:
    paging = _page(request)
    if paging is None:
        return json_response({"status": 422}, status=422)
    page, size = paging
    slug = request.path_params["slug"]
    rows = await _pool(request).fetch(COMMENT_THREADS, slug, size, (page - 1) * size)
    if not rows:
        return _not_found()
    body = {
        "items": threads([row for row in rows if row["id"] is not None]),
        "total": rows[0]["comments_count"],
        "threads": rows[0]["threads"] or 0,
        "page": page,
        "page_size": size,
    }
    return json_response(body)


def _caller(request: Request) -> tuple[Any, int, Any] | None:
    """The user id, token version and session id of a valid access token (None: no token)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    codec: TokenCodec = request.app.state.codec
    try:
        claims = codec.decode(token)
    except InvalidToken:
        return None
    return claims.user_id, claims.token_version, claims.session_id


async def feed(request: Request) -> Response:
    caller, size = _caller(request), _page(request)
    if size is None:
        return json_response({"status": 422}, status=422)
    rows = await _pool(request).fetch(FEED, *caller, size[1]) if caller else []
    if not rows:
        return json_response({"status": 401, "code": "unauthorized"}, status=401)
    items = [
        summary(row) | {"liked_by_me": row["liked"], "bookmarked_by_me": row["kept"]}
        for row in rows
        if row["id"] is not None
    ]
    full = len(items) == size[1]
    return json_response({"items": items, "next_cursor": cursor(rows[-1]) if full else None})


def _offset(request: Request) -> tuple[int, int] | None:
    try:
        limit = int(request.query_params.get("limit", "20"))
        offset = int(request.query_params.get("offset", "0"))
    except ValueError:
        return None
    if not (1 <= limit <= MAX_PAGE_SIZE and 0 <= offset <= 1_000_000):
        return None
    return limit, offset


async def rw_articles(request: Request) -> Response:
    paging = _offset(request)
    if paging is None:
        return json_response({"status": 422}, status=422)
    rows = await _pool(request).fetch(RW_ARTICLES, *paging)
    articles = [article(row) for row in rows if row["slug"] is not None]
    return json_response({"articles": articles, "articlesCount": rows[0]["total"]})


async def rw_article(request: Request) -> Response:
    row = await _pool(request).fetchrow(RW_ARTICLE, request.path_params["slug"])
    if row is None:
        return json_response({"errors": {"article": ["not found"]}}, status=404)
    return json_response({"article": article(row) | {"body": row["content_raw"]}})


async def health(_request: Request) -> Response:
    return json_response({"status": "ok"})


async def _init_connection(connection: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, schema="pg_catalog", encoder=json.dumps, decoder=json.loads
        )


async def create_pool(url: str, size: int) -> asyncpg.Pool:
    """A warm pool of `size` connections with PostgreSQL's default plan caching: a statement
    keeps a generic plan once that costs no more than planning it anew. bench/plan_modes.py
    measured every statement here against `force_custom_plan` (planning every run): the
    default was as fast or faster for each (docs/benchmarks.md)."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url.replace("postgresql+asyncpg://", "postgresql://", 1),
        min_size=size,
        max_size=size,
        init=_init_connection,
        server_settings={"application_name": "inkwell-baseline", "timezone": "UTC"},
    )
    return pool


Handler = Callable[[Request], Awaitable[Response]]
# One entry per measured endpoint; the scenarios in bench/scenarios.py name the same paths.
ROUTES: list[tuple[str, Handler]] = [
    ("/api/v1/posts", list_posts),
    ("/api/v1/posts/search", search_posts),
    ("/api/v1/posts/{slug}", get_post),
    ("/api/v1/posts/{slug}/comments", list_comments),
    ("/api/v1/feed", feed),
    ("/api/articles", rw_articles),
    ("/api/articles/{slug}", rw_article),
    ("/health/live", health),
]


def token_codec(secret: str) -> TokenCodec:
    """Inkwell's access-token check with Inkwell's secret (and its default issuer, audience,
    algorithm, which the harness does not change)."""
    return TokenCodec(Settings(_env_file=None, jwt_secret=SecretStr(secret)))


def create_app(
    url: str | None = None, pool_size: int | None = None, jwt_secret: str | None = None
) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await create_pool(
            url or os.environ["BENCH_DATABASE_URL"],
            pool_size or int(os.environ.get("BENCH_POOL_SIZE", "10")),
        )
        yield
        await app.state.pool.close()

    routes = [Route(path, handler) for path, handler in ROUTES]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.codec = token_codec(jwt_secret or os.environ["BENCH_JWT_SECRET"])
    # Post pages' addresses as Inkwell's settings give them (INKWELL_SITE_URL and the rest).
    app.state.links = PageLinks.of(Settings(_env_file=None))
    return app


def app_factory() -> Starlette:
    """Entry point for `uvicorn --factory bench.baseline:app_factory`."""
    return create_app()
