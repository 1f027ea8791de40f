"""A site exported and imported into an empty Inkwell comes back with the same users, slugs,
old slugs, dates, statuses, tags, versions, comment threads, likes, bookmarks and follows."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from inkwell.core import migrations
from inkwell.core.clock import utcnow
from inkwell.core.state import AppState
from inkwell.models.comment import Comment
from inkwell.models.engagement import Bookmark, Follow, Like
from inkwell.models.post import Post, PostSlug, PostTag, PostVersion, Tag
from inkwell.models.user import User
from inkwell.porting.exporter import export_to
from inkwell.porting.importer import import_file
from tests.factories import (
    create_comment,
    create_post,
    create_user,
    follow,
    like,
    signed_in_headers,
)


@pytest.fixture
async def empty_inkwell(empty_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A second, migrated and empty database."""
    await asyncio.to_thread(migrations.upgrade, empty_database)
    engine = create_async_engine(empty_database)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def seed(session: AsyncSession, client: httpx.AsyncClient, state: AppState) -> None:
    ada = await create_user(session, username="ada", email="ada@example.com")
    bob = await create_user(session, username="bob", email="bob@example.com")
    first = await create_post(session, ada, title="First Post", tags=["Python", "Notes"])
    headers = await signed_in_headers(state, ada)
    changed = {"title": "First Post, Revised", "slug": "first-post-revised"}
    response = await client.patch(f"/api/v1/posts/{first.id}", json=changed, headers=headers)
    assert response.status_code == 200, response.text
    await create_post(session, ada, title="Draft", status="draft")
    later = (utcnow() + timedelta(days=3)).isoformat()
    await create_post(session, bob, title="Later", status="scheduled", published_at=later)
    root = await create_comment(session, first, bob, content="Root")
    reply = await create_comment(session, first, ada, content="Reply", parent=root)
    await create_comment(session, first, bob, content="Deeper", parent=reply)
    await create_comment(session, first, ada, content="Second root")
    await like(session, bob, first)
    await follow(session, bob, ada)
    session.add(Bookmark(user_id=ada.id, post_id=first.id))
    counted = Post.bookmarks_count + 1
    await session.execute(update(Post).where(Post.id == first.id).values(bookmarks_count=counted))
    await session.commit()


async def snapshot(session: AsyncSession) -> dict[str, Any]:
    """What must survive the trip, named by usernames and slugs (ids change)."""
    users = {u.id: (u.username, u.email) for u in await session.scalars(select(User))}
    posts = {p.id: p for p in await session.scalars(select(Post))}
    slugs = {i: p.slug for i, p in posts.items()}
    names = {i: n for i, (n, _) in users.items()}
    tags = await session.execute(
        select(PostTag.post_id, Tag.name).join(Tag).order_by(PostTag.post_id, PostTag.position)
    )
    comments = {c.id: c for c in await session.scalars(select(Comment).order_by(Comment.path))}
    return {
        "users": sorted(users.values()),
        "posts": sorted(
            (
                p.slug,
                p.title,
                p.status,
                p.published_at,
                p.created_at,
                p.content_raw,
                p.version,
                names[p.author_id],
            )
            for p in posts.values()
        ),
        "tags": sorted((slugs[i], n) for i, n in tags),
        "old_slugs": sorted(
            (s.slug, slugs[s.post_id]) for s in await session.scalars(select(PostSlug))
        ),
        "versions": sorted(
            (slugs[v.post_id], v.version, v.title)
            for v in await session.scalars(select(PostVersion))
        ),
        "comments": [
            (
                slugs[c.post_id],
                c.content_raw,
                c.depth,
                c.status,
                c.created_at,
                comments[c.parent_id].content_raw if c.parent_id else None,
                names.get(c.author_id) if c.author_id else None,
            )
            for c in comments.values()
        ],
        "counts": sorted(
            (p.slug, p.comments_count, p.likes_count, p.bookmarks_count) for p in posts.values()
        ),
        "likes": sorted(
            (names[r.user_id], slugs[r.post_id]) for r in await session.scalars(select(Like))
        ),
        "follows": sorted(
            (names[f.follower_id], names[f.followee_id])
            for f in await session.scalars(select(Follow))
        ),
    }


async def test_a_site_export_imports_back_the_same(
    session: AsyncSession,
    client: httpx.AsyncClient,
    app_state: AppState,
    empty_inkwell: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await seed(session, client, app_state)
    archive = tmp_path / "site.zip"
    assert await export_to(session, archive)

    report = await import_file(empty_inkwell, kind="inkwell", path=archive, max_depth=5)

    assert report.errors == []
    assert (report.posts_created, report.comments_created, report.relations_created) == (3, 4, 3)
    before = await snapshot(session)
    async with empty_inkwell() as imported:
        after = await snapshot(imported)
    assert before["old_slugs"] == [("first-post", "first-post-revised")]
    assert len(before["comments"]) == 4
    assert after == before
    again = await import_file(empty_inkwell, kind="inkwell", path=archive, max_depth=5)
    assert (again.posts_created, again.posts_skipped) == (0, 3)


async def test_the_archive_has_a_markdown_file_per_post_with_front_matter(
    session: AsyncSession, client: httpx.AsyncClient, app_state: AppState
) -> None:
    await seed(session, client, app_state)
    buffer = io.BytesIO()
    await export_to(session, buffer)

    with zipfile.ZipFile(buffer) as archive:
        document = json.loads(archive.read("export.json"))
        page = archive.read("posts/first-post-revised.md").decode()
    assert (document["format"], document["kind"], document["version"]) == (
        "inkwell-export",
        "site",
        1,
    )
    assert "password_hash" not in json.dumps(document)
    _, front, body = page.split("---\n", 2)
    matter = yaml.safe_load(front)
    assert matter["title"] == "First Post, Revised"
    assert matter["slug"] == "first-post-revised"
    assert matter["status"] == "published"
    assert matter["tags"] == ["Python", "Notes"]
    assert matter["authors"] == ["ada"]
    assert matter["published_at"].endswith("Z")
    assert body.strip() == "Some **Markdown** content about testing."
