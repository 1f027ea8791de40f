"""Fill a database with a large, realistic data set: authors, tags, posts, comments and follows.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/inkwell_bench

Issue 6's data set (what `make bench` loads): `--authors 1000 --tags 50 --tags-per-post 3
--comments 200000 --follows-min 20 --follows-max 50`. Every author can sign in with
BENCH_PASSWORD; the same seed gives the same rows (ids are derived from the seed too).

The database is migrated first. Posts have Zipf-distributed words (so search terms range from
very common to rare), Zipf-distributed tags, 92% published over three years, 4% drafts, 2%
scheduled, 2% archived, 1% deleted. Content is rendered by the app's own Markdown pipeline.
Comments go on published posts (Zipf: a few posts get most), a quarter of them replies
(threads up to MAX_REPLY_DEPTH deep); each post's `comments_count` is the number of its rows.
Each author follows a random set of `--follows-min` to `--follows-max` other authors.
Rows go in with COPY; the database computes `search_vector` itself. Then VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from inkwell.core import migrations
from inkwell.core.markdown import excerpt, reading_minutes, render_markdown
from inkwell.core.slugs import slugify

TOPIC_WORDS = [
    "postgres",
    "python",
    "index",
    "query",
    "async",
    "database",
    "search",
    "garden",
    "travel",
    "cooking",
    "bread",
    "running",
    "puzzle",
    "compiler",
    "network",
    "security",
    "kernel",
    "memory",
    "cache",
    "design",
    "music",
    "photo",
    "coffee",
    "wine",
    "history",
    "science",
    "physics",
    "biology",
    "chemistry",
    "startup",
    "product",
    "team",
    "remote",
    "writing",
    "reading",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "zu",
    "bri",
    "cha",
    "dre",
    "fla",
    "gho",
    "jun",
    "kle",
    "mor",
    "pla",
    "qui",
    "sto",
    "tra",
    "vex",
]
NOW = datetime.now(UTC)
# One precomputed Argon2id hash (the app's parameters) of BENCH_PASSWORD for every author,
# so the login and refresh parts of the mixed workload can sign in.
BENCH_PASSWORD = "inkwell-bench-password"  # noqa: S105 - benchmark data
BENCH_PASSWORD_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$OhU9IBp/rFKTZiCe3DHxkw$"  # noqa: S105 - a benchmark hash
    "VMj7IgrW4KZkLkWzVGPMiQuFlXL3T/1M3FY3/27eZ2o"
)
# Replies nest at most this deep (the app allows 5 by default).
MAX_REPLY_DEPTH = 3
COMMENT_COLUMNS = (
    "id",
    "post_id",
    "author_id",
    "parent_id",
    "root_id",
    "path",
    "depth",
    "content_raw",
    "content_html",
    "status",
    "created_at",
    "updated_at",
)


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Pseudo-words, plus topic words spread through the frequency ranks."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    for n, word in enumerate(TOPIC_WORDS):
        ordered[n * 37 + 5] = word
    return ordered


def seeded_uuid7(rng: random.Random, when: datetime) -> uuid.UUID:
    """A UUIDv7 for `when` whose random bits come from `rng` (same seed, same ids)."""
    value = (int(when.timestamp() * 1000) << 80) | rng.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class Writer:
    def __init__(self, seed: int, words: int, tags: int, tags_per_post: int | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data
        self.words = vocabulary(self.rng, words)
        self.word_weights = list(itertools.accumulate(1 / (n + 1) for n in range(words)))
        self.tags = [
            (seeded_uuid7(self.rng, NOW), f"{w.capitalize()} {n}", slugify(f"{w} {n}"))
            for n, w in enumerate(self.words[:tags])
        ]
        self.tag_weights = list(itertools.accumulate(1 / (n + 1) for n in range(tags)))
        self.tags_per_post = tags_per_post

    def sentence(self, n: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.word_weights, k=n)
        return " ".join(words).capitalize() + "."

    def markdown(self) -> str:
        parts = []
        for _ in range(self.rng.randint(3, 6)):
            if self.rng.random() < 0.3:
                parts.append("## " + self.sentence(self.rng.randint(2, 5))[:-1])
            parts.append(
                " ".join(
                    self.sentence(self.rng.randint(6, 16)) for _ in range(self.rng.randint(2, 5))
                )
            )
        return "\n\n".join(parts)

    def status(self) -> tuple[str, datetime | None, datetime | None]:
        roll = self.rng.random()
        past = NOW - timedelta(seconds=self.rng.randint(60, 3 * 365 * 86400))
        deleted = past + timedelta(days=1) if self.rng.random() < 0.01 else None
        if roll < 0.04:
            return "draft", None, deleted
        if roll < 0.06:
            return "scheduled", NOW + timedelta(hours=self.rng.randint(1, 24 * 60)), deleted
        if roll < 0.08:
            return "archived", past, deleted
        return "published", past, deleted

    def post_tags(self) -> list[uuid.UUID]:
        """1-5 Zipf-distributed tags, or exactly `tags_per_post` distinct ones."""
        if self.tags_per_post is None:
            count = self.rng.randint(1, 5)
            chosen = self.rng.choices(self.tags, cum_weights=self.tag_weights, k=count)
            return list(dict.fromkeys(tag_id for tag_id, _, _ in chosen))
        wanted = min(self.tags_per_post, len(self.tags))
        distinct: dict[uuid.UUID, None] = {}
        while len(distinct) < wanted:
            tag = self.rng.choices(self.tags, cum_weights=self.tag_weights)[0]
            distinct[tag[0]] = None
        return list(distinct)

    def comment(self) -> str:
        return " ".join(
            self.sentence(self.rng.randint(5, 14)) for _ in range(self.rng.randint(1, 3))
        )


def post_rows(writer: Writer, authors: list[uuid.UUID], count: int) -> Iterator[Any]:
    for n in range(count):
        raw = writer.markdown()
        html = render_markdown(raw)
        title = writer.sentence(writer.rng.randint(3, 8))[:-1][:200]
        status, published_at, deleted_at = writer.status()
        created = (published_at or NOW) - timedelta(hours=writer.rng.randint(1, 72))
        likes = int(writer.rng.paretovariate(1.2)) - 1
        yield (
            seeded_uuid7(writer.rng, created),
            writer.rng.choice(authors),
            title,
            f"{slugify(title)[:60].rstrip('-')}-{n}",
            status,
            published_at,
            excerpt(raw.replace("## ", ""), 280),
            raw,
            html,
            json.dumps({"seo_title": title[:60]}),
            reading_minutes(raw),
            min(likes, 10**6),
            created,
            created,
            deleted_at,
        )


POST_COLUMNS = (
    "id",
    "author_id",
    "title",
    "slug",
    "status",
    "published_at",
    "summary",
    "content_raw",
    "content_html",
    "metadata",
    "reading_time",
    "likes_count",
    "created_at",
    "updated_at",
    "deleted_at",
)


async def load(
    url: str,
    *,
    posts: int,
    authors: int,
    tags: int,
    seed: int,
    tags_per_post: int | None = None,
    comments: int = 0,
    follows: tuple[int, int] = (0, 0),
) -> None:
    """Load the data set; `follows` is the (min, max) number of authors each author follows."""
    connection = await asyncpg.connect(url)
    try:
        # COPY is binary: jsonb's binary form is a version byte and the JSON text.
        await connection.set_type_codec(
            "jsonb",
            schema="pg_catalog",
            format="binary",
            encoder=lambda v: b"\x01" + v.encode(),
            decoder=lambda b: json.loads(b[1:]),
        )
        writer = Writer(seed, words=20_000, tags=tags, tags_per_post=tags_per_post)
        author_ids = await _authors(connection, writer, authors)
        await connection.copy_records_to_table(
            "tags",
            records=[(i, name, slug) for i, name, slug in writer.tags],
            columns=("id", "name", "slug"),
        )
        started = time.perf_counter()
        batch: list[Any] = []
        for row in post_rows(writer, author_ids, posts):
            batch.append(row)
            if len(batch) == 5_000:
                await _copy_posts(connection, writer, batch)
                print(f"{len(batch)} more posts ({time.perf_counter() - started:.0f}s)")
                batch = []
        if batch:
            await _copy_posts(connection, writer, batch)
        if comments:
            await _comments(connection, writer, author_ids, comments)
        await _follows(connection, writer, author_ids, *follows)
        await connection.execute("VACUUM ANALYZE")
        print(f"loaded {posts} posts in {time.perf_counter() - started:.0f}s")
    finally:
        await connection.close()


async def _authors(connection: asyncpg.Connection, writer: Writer, count: int) -> list[uuid.UUID]:
    joined = NOW - timedelta(days=4 * 365)
    ids = [seeded_uuid7(writer.rng, joined) for _ in range(count)]
    records = [
        (i, f"author{n}", f"author{n}@bench.invalid", BENCH_PASSWORD_HASH, f"Author {n}", joined)
        for n, i in enumerate(ids)
    ]
    await connection.copy_records_to_table(
        "users",
        records=records,
        columns=("id", "username", "email", "password_hash", "display_name", "created_at"),
    )
    return ids


async def _comments(
    connection: asyncpg.Connection, writer: Writer, authors: list[uuid.UUID], count: int
) -> None:
    """`count` comments on published posts; each post's comments_count is set to its rows."""
    posts = await connection.fetch(
        "SELECT id, published_at FROM posts WHERE status = 'published' AND deleted_at IS NULL "
        "ORDER BY id"
    )
    rows = list(comment_rows(writer, posts, authors, count))
    await connection.copy_records_to_table("comments", records=rows, columns=COMMENT_COLUMNS)
    await connection.execute(
        "UPDATE posts SET comments_count = c.n FROM "
        "(SELECT post_id, count(*) AS n FROM comments "
        " WHERE status = 'visible' AND deleted_at IS NULL GROUP BY post_id) c "
        "WHERE c.post_id = posts.id"
    )
    print(f"loaded {count} comments")


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a comment sits in its thread: what a reply to it needs."""

    id: uuid.UUID
    root_id: uuid.UUID
    path: str
    when: datetime


def comment_rows(
    writer: Writer, posts: list[Any], authors: list[uuid.UUID], count: int
) -> Iterator[tuple[Any, ...]]:
    """Comments with Zipf-distributed posts (a few posts get most); a quarter are replies to an
    earlier comment of the same post (at most MAX_REPLY_DEPTH deep), later than their parent."""
    weights = list(itertools.accumulate(1 / (n + 1) ** 0.8 for n in range(len(posts))))
    parents: dict[uuid.UUID, list[Placed]] = {}
    for _ in range(count):
        post_id, published = writer.rng.choices(posts, cum_weights=weights)[0]
        earlier = parents.setdefault(post_id, [])
        parent = writer.rng.choice(earlier) if earlier and writer.rng.random() < 0.25 else None
        start = parent.when if parent else published
        when = min(start + timedelta(minutes=writer.rng.randint(1, 60 * 24 * 30)), NOW)
        comment_id = seeded_uuid7(writer.rng, when)
        path = f"{parent.path}.{comment_id.hex}" if parent else comment_id.hex
        depth = path.count(".")
        if depth < MAX_REPLY_DEPTH:
            earlier.append(Placed(comment_id, parent.root_id if parent else comment_id, path, when))
        text = writer.comment()
        yield (
            comment_id,
            post_id,
            writer.rng.choice(authors),
            parent.id if parent else None,
            parent.root_id if parent else comment_id,
            path,
            depth,
            text,
            f"<p>{text}</p>",
            "visible",
            when,
            when,
        )


async def _follows(
    connection: asyncpg.Connection, writer: Writer, authors: list[uuid.UUID], low: int, high: int
) -> None:
    """Each author follows between `low` and `high` other authors, chosen at random."""
    rows: list[tuple[uuid.UUID, uuid.UUID, datetime]] = []
    for follower in authors:
        others = [author for author in authors if author != follower]
        wanted = min(writer.rng.randint(low, high), len(others))
        since = NOW - timedelta(seconds=writer.rng.randint(0, 365 * 86400))
        rows.extend((follower, followee, since) for followee in writer.rng.sample(others, wanted))
    await connection.copy_records_to_table(
        "follows", records=rows, columns=("follower_id", "followee_id", "created_at")
    )
    print(f"loaded {len(rows)} follows")


async def _copy_posts(connection: asyncpg.Connection, writer: Writer, rows: list[Any]) -> None:
    async with connection.transaction():
        await connection.copy_records_to_table("posts", records=rows, columns=POST_COLUMNS)
        links = [(row[0], tag_id, n) for row in rows for n, tag_id in enumerate(writer.post_tags())]
        await connection.copy_records_to_table(
            "post_tags", records=links, columns=("post_id", "tag_id", "position")
        )
        versions = [
            (seeded_uuid7(writer.rng, row[12]), row[0], 1, row[2], row[6], row[7], row[9], row[1])
            for row in rows
        ]
        await connection.copy_records_to_table(
            "post_versions",
            records=versions,
            columns=(
                "id",
                "post_id",
                "version",
                "title",
                "summary",
                "content_raw",
                "metadata",
                "editor_id",
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--authors", type=int, default=2_000)
    parser.add_argument("--tags", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tags-per-post", type=int, default=None, help="default: 1-5, Zipf")
    parser.add_argument("--comments", type=int, default=0)
    parser.add_argument("--follows-min", type=int, default=0, help="authors each author follows")
    parser.add_argument("--follows-max", type=int, default=0)
    args = parser.parse_args()
    migrations.upgrade(args.database_url)
    url = args.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(
        load(
            url,
            posts=args.posts,
            authors=args.authors,
            tags=args.tags,
            seed=args.seed,
            tags_per_post=args.tags_per_post,
            comments=args.comments,
            follows=(args.follows_min, args.follows_max),
        )
    )


if __name__ == "__main__":
    main()
