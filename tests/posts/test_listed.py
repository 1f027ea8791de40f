"""What the database keeps for lists (migration 0013): each tag link's `listed_at` (its post's
published_at while the post is listed) and the number of listed posts, through every way rows
change, and the lists that read them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from inkwell.core.state import AppState
from inkwell.models.post import LISTED_STATUSES, Post, PostCount, PostStatus, PostTag
from inkwell.models.user import User
from inkwell.posts.records import PostRow
from tests.factories import create_post, create_user, signed_in_headers

NOW = datetime.now(UTC)
COPIED = ("id", "author_id", "title", "slug", "summary", "content_raw", "content_html")


def listed_at(status: PostStatus, published_at: datetime | None, deleted_at: Any) -> Any:
    """The rule the triggers keep, in Python."""
    if deleted_at is None and status.value in LISTED_STATUSES:
        return published_at
    return None


async def assert_kept(session: AsyncSession) -> None:
    """Every tag link's listed_at and the listed count agree with the posts as they are."""
    posts = {
        row.id: listed_at(row.status, row.published_at, row.deleted_at)
        for row in await session.execute(
            select(Post.id, Post.status, Post.published_at, Post.deleted_at)
        )
    }
    links = (await session.execute(select(PostTag.post_id, PostTag.listed_at))).all()
    assert [(post_id, posts[post_id]) for post_id, _ in links] == links
    kept = await session.scalar(select(PostCount.value).where(PostCount.name == "listed"))
    assert (kept or 0) == sum(1 for value in posts.values() if value is not None)


@pytest.fixture
async def author(session: AsyncSession) -> User:
    return await create_user(session, username="kept_author")


@pytest.fixture
async def tagged(session: AsyncSession, author: User) -> PostRow:
    return await create_post(session, author, title="Kept", tags=["kept", "also"])


changes = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(PostStatus)),
        "published_at": st.one_of(
            st.none(), st.integers(-30, 30).map(lambda days: NOW + timedelta(days=days))
        ),
        "deleted_at": st.sampled_from([None, NOW]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(changes, min_size=1, max_size=4))
async def test_updates_keep_the_links_and_the_count(
    session: AsyncSession, tagged: PostRow, steps: list[dict[str, Any]]
) -> None:
    for values in steps:
        await session.execute(update(Post).where(Post.id == tagged.id).values(**values))
        await assert_kept(session)


async def test_tag_links_written_later_take_the_posts_time(
    session: AsyncSession, author: User
) -> None:
    draft = await create_post(session, author, status="draft", tags=["zero"])
    published = await create_post(session, author, tags=["one", "two"])
    await assert_kept(session)
    tag_id = await session.scalar(select(PostTag.tag_id).where(PostTag.post_id == published.id))
    await session.execute(delete(PostTag).where(PostTag.post_id == published.id))
    await session.execute(insert(PostTag).values(post_id=published.id, tag_id=tag_id, position=0))
    await session.execute(  # moving a link to another post takes that post's time
        update(PostTag).where(PostTag.post_id == published.id).values(post_id=draft.id)
    )
    await assert_kept(session)


async def test_bulk_inserts_copies_deletes_and_truncation_keep_the_count(
    session: AsyncSession, tagged: PostRow
) -> None:
    columns = [
        c.name
        for c in Post.__table__.columns
        if c.computed is None and c.name not in {"id", "slug", "status", "published_at"}
    ]
    names = ", ".join(columns)
    await session.execute(
        text(
            f"INSERT INTO posts (id, slug, status, published_at, {names}) "  # noqa: S608 - the model's column names
            "SELECT gen_random_uuid(), 'bulk-' || n, "
            "(ARRAY['draft', 'published', 'scheduled', 'archived'])[1 + n % 4]::post_status, "
            f"now() + (n - 10) * interval '1 day', {names} "
            "FROM posts, generate_series(1, 40) AS n WHERE posts.id = :id"
        ),
        {"id": tagged.id},
    )
    await assert_kept(session)
    driver: Any = (await (await session.connection()).get_raw_connection()).driver_connection
    await driver.copy_records_to_table(
        "posts",
        columns=[*COPIED, "status", "published_at"],
        records=[
            (
                uuid.uuid4(),
                tagged.author_id,
                "Copied",
                f"copied-{n}",
                "",
                "x",
                "<p>x</p>",
                status,
                NOW,
            )
            for n, status in enumerate(("published", "scheduled", "draft"))
        ],
    )
    await assert_kept(session)
    await session.execute(delete(Post).where(Post.slug.like("bulk-%"), Post.slug < "bulk-3"))
    await assert_kept(session)
    await session.execute(text("TRUNCATE posts CASCADE"))
    assert await session.scalar(select(PostCount.value)) is None
    await assert_kept(session)


async def test_a_tag_link_waits_for_a_concurrent_publication(
    engine: AsyncEngine, committing_state: AppState
) -> None:
    """A link inserted while another transaction publishes its post is written after that
    transaction ends, with the published time (the trigger reads the post FOR SHARE)."""
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="racing_author")
        post = await create_post(session, author, status="draft", tags=["racing"])
        tag_id = await session.scalar(select(PostTag.tag_id))
        await session.execute(delete(PostTag))
        await session.commit()
    async with engine.connect() as publisher, engine.connect() as tagger:
        await publisher.execute(
            update(Post).where(Post.id == post.id).values(status="published", published_at=NOW)
        )
        link = asyncio.create_task(
            tagger.execute(insert(PostTag).values(post_id=post.id, tag_id=tag_id, position=0))
        )
        await asyncio.sleep(0.2)
        assert not link.done()  # waiting for the publisher's row lock
        await publisher.commit()
        await link
        await tagger.commit()
    async with committing_state.sessionmaker() as session:
        assert await session.scalar(select(PostTag.listed_at)) == NOW
        await assert_kept(session)


async def test_lists_leave_out_scheduled_posts_until_their_time(
    client: httpx.AsyncClient,
    app_state: AppState,
    author: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = await signed_in_headers(app_state, author)
    soon = NOW + timedelta(hours=1)
    for title, extra in (
        ("Out now", {"status": "published"}),
        ("Later", {"status": "scheduled", "published_at": soon.isoformat()}),
        ("Not yet", {"status": "draft"}),
    ):
        body = {"title": title, "content_raw": "x", "tags": ["timely"], **extra}
        assert (await client.post("/api/v1/posts", json=body, headers=headers)).status_code == 201

    async def seen() -> tuple[list[str], int, list[str], int]:
        tagged = (await client.get("/api/v1/posts?tag=timely")).json()
        articles = (await client.get("/api/articles")).json()
        return (
            [post["title"] for post in tagged["items"]],
            tagged["total"],
            [article["title"] for article in articles["articles"]],
            articles["articlesCount"],
        )

    assert await seen() == (["Out now"], 1, ["Out now"], 1)
    later = soon + timedelta(minutes=1)
    monkeypatch.setattr("inkwell.posts.service.utcnow", lambda: later)
    assert await seen() == (["Later", "Out now"], 2, ["Later", "Out now"], 2)
