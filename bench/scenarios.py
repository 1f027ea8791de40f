"""The measured endpoints: one entry each, with the concrete paths the load generator requests.

A scenario runs when Inkwell and the baseline both answer its first path with a 2xx; otherwise
it is reported as skipped with the probe's answers. An authenticated scenario's requests carry
the access tokens of `Params.feed_users` (bench/run.py signs them in). To add an endpoint: an
entry here, a handler in bench/baseline.py's ROUTES, and (if it needs new data) a parameter in
`Params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import asyncpg


@dataclass(frozen=True)
class Params:
    """Realistic, deterministic request parameters drawn from the loaded data."""

    slugs: list[str]
    tags: list[str]
    words: list[str]
    commented_slugs: list[str] = field(default_factory=list)
    feed_users: list[str] = field(default_factory=list)  # usernames that follow someone


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    paths: Callable[[Params], list[str]]
    authenticated: bool = False


SCENARIOS: list[Scenario] = [
    Scenario("post", "GET /api/v1/posts/{slug}", lambda p: [f"/api/v1/posts/{s}" for s in p.slugs]),
    Scenario("list", "GET /api/v1/posts (20 items)", lambda _p: ["/api/v1/posts"]),
    Scenario(
        "tag", "GET /api/v1/posts?tag=<slug>", lambda p: [f"/api/v1/posts?tag={t}" for t in p.tags]
    ),
    Scenario(
        "search",
        "GET /api/v1/posts/search?q=<word>",
        lambda p: [f"/api/v1/posts/search?q={quote(w)}" for w in p.words],
    ),
    Scenario(
        "comments",
        "GET /api/v1/posts/{slug}/comments",
        lambda p: [f"/api/v1/posts/{s}/comments" for s in p.commented_slugs],
    ),
    Scenario(
        "feed", "GET /api/v1/feed (authenticated)", lambda _p: ["/api/v1/feed"], authenticated=True
    ),
    Scenario("rw-articles", "GET /api/articles", lambda _p: ["/api/articles"]),
    Scenario(
        "rw-article", "GET /api/articles/{slug}", lambda p: [f"/api/articles/{s}" for s in p.slugs]
    ),
]


def by_key(keys: list[str] | None) -> list[Scenario]:
    if not keys:
        return SCENARIOS
    known = {s.key: s for s in SCENARIOS}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise SystemExit(f"unknown scenarios {unknown}; known: {sorted(known)}")
    return [known[k] for k in keys]


_PUBLIC = "status = 'published' AND deleted_at IS NULL AND published_at <= now()"
# Words in roughly 200-1,000 posts: found in 10-50 posts of a repeatable 5% sample.
_WORDS = """
SELECT word FROM ts_stat('SELECT search_vector FROM posts TABLESAMPLE SYSTEM (5) REPEATABLE (1)')
WHERE ndoc BETWEEN 10 AND 50 AND word ~ '^[a-z]{4,}$' ORDER BY md5(word) LIMIT 40
"""

_FEED_USERS = """
SELECT username FROM users u WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = u.id)
ORDER BY md5(username) LIMIT $1
"""


async def pick_params(url: str, posts: int = 2_000, readers: int = 32) -> Params:
    """Public slugs (all, and those with comments), tags, search words and feed readers;
    the same data gives the same picks."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        slugs = await connection.fetch(
            f"SELECT slug FROM posts WHERE {_PUBLIC} ORDER BY md5(slug) LIMIT $1", posts
        )
        commented = await connection.fetch(
            f"SELECT slug FROM posts WHERE {_PUBLIC} AND comments_count > 0 "
            "ORDER BY md5(slug) LIMIT $1",
            posts,
        )
        tags = await connection.fetch("SELECT slug FROM tags ORDER BY slug")
        words = await connection.fetch(_WORDS)
        users = await connection.fetch(_FEED_USERS, readers)
    finally:
        await connection.close()
    return Params(
        slugs=[r[0] for r in slugs],
        tags=[r[0] for r in tags],
        words=[r[0] for r in words],
        commented_slugs=[r[0] for r in commented],
        feed_users=[r[0] for r in users],
    )
