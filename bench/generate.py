"""Fill a database with a large, realistic data set: authors, tags and (by default) 100k posts.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/inkwell_bench

The database is migrated first. Posts have Zipf-distributed words (so search terms range from
very common to rare), Zipf-distributed tags, 92% published over three years, 4% drafts, 2%
scheduled, 2% archived, 1% deleted. Content is rendered by the app's own Markdown pipeline.
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
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from inkwell.core import migrations
from inkwell.core.ids import uuid7
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


class Writer:
    def __init__(self, seed: int, words: int, tags: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data
        self.words = vocabulary(self.rng, words)
        self.word_weights = list(itertools.accumulate(1 / (n + 1) for n in range(words)))
        self.tags = [
            (uuid7(), f"{w.capitalize()} {n}", slugify(f"{w} {n}"))
            for n, w in enumerate(self.words[:tags])
        ]
        self.tag_weights = list(itertools.accumulate(1 / (n + 1) for n in range(tags)))

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
        chosen = self.rng.choices(self.tags, cum_weights=self.tag_weights, k=self.rng.randint(1, 5))
        return list(dict.fromkeys(tag_id for tag_id, _, _ in chosen))


def post_rows(writer: Writer, authors: list[uuid.UUID], count: int) -> Iterator[Any]:
    for n in range(count):
        raw = writer.markdown()
        html = render_markdown(raw)
        title = writer.sentence(writer.rng.randint(3, 8))[:-1][:200]
        status, published_at, deleted_at = writer.status()
        created = (published_at or NOW) - timedelta(hours=writer.rng.randint(1, 72))
        likes = int(writer.rng.paretovariate(1.2)) - 1
        yield (
            uuid7(),
            writer.rng.choice(authors),
            title,
            f"{slugify(title)[:60]}-{n}",
            status,
            published_at,
            excerpt(raw.replace("## ", ""), 280),
            raw,
            html,
            json.dumps({"seo_title": title[:60]}),
            reading_minutes(raw),
            min(likes, 10**6),
            writer.rng.randint(0, 20),
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
    "comments_count",
    "created_at",
    "updated_at",
    "deleted_at",
)


async def load(url: str, *, posts: int, authors: int, tags: int, seed: int) -> None:
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
        writer = Writer(seed, words=20_000, tags=tags)
        author_ids = await _authors(connection, authors)
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
        await connection.execute("VACUUM ANALYZE")
        print(f"loaded {posts} posts in {time.perf_counter() - started:.0f}s")
    finally:
        await connection.close()


async def _authors(connection: asyncpg.Connection, count: int) -> list[uuid.UUID]:
    ids = [uuid7() for _ in range(count)]
    # Not a real hash: benchmark authors cannot sign in.
    await connection.copy_records_to_table(
        "users",
        records=[(i, f"author{n}", f"author{n}@bench.invalid", "!") for n, i in enumerate(ids)],
        columns=("id", "username", "email", "password_hash"),
    )
    return ids


async def _copy_posts(connection: asyncpg.Connection, writer: Writer, rows: list[Any]) -> None:
    async with connection.transaction():
        await connection.copy_records_to_table("posts", records=rows, columns=POST_COLUMNS)
        links = [(row[0], tag_id, n) for row in rows for n, tag_id in enumerate(writer.post_tags())]
        await connection.copy_records_to_table(
            "post_tags", records=links, columns=("post_id", "tag_id", "position")
        )
        versions = [(uuid7(), row[0], 1, row[2], row[6], row[7], row[9], row[1]) for row in rows]
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
    args = parser.parse_args()
    migrations.upgrade(args.database_url)
    url = args.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(load(url, posts=args.posts, authors=args.authors, tags=args.tags, seed=args.seed))


if __name__ == "__main__":
    main()
