"""Scheduled publishing: the job a scheduling defers, the checks it makes, and the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.jobs.tasks import post_service, publish_due_posts, publish_scheduled_post
from inkwell.posts.policy import is_listed, is_public
from inkwell.posts.schemas import PostCreate, PostUpdate
from tests.factories import create_user
from tests.jobs.support import events_of, publication_jobs, scheduled_post, status_of


async def test_scheduling_defers_a_job_that_publishes_once(
    session: AsyncSession, settings: Settings
) -> None:
    author = await create_user(session)
    post = await scheduled_post(session, author, in_seconds=3600)
    assert post.published_at is not None
    jobs = await publication_jobs(session, post.id)
    assert [job["scheduled_at"] for job in jobs] == [post.published_at]
    due = datetime.fromisoformat(jobs[0]["args"]["due"])

    first = await publish_scheduled_post(session, settings, post_id=post.id, due=due)
    again = await publish_scheduled_post(session, settings, post_id=post.id, due=due)

    assert (first, again) == (True, False)
    assert await status_of(session, post.id) == "published"
    assert await events_of(session, post.id, "post.published") == 1


async def test_publishing_keeps_the_time_and_the_visibility(
    session: AsyncSession, settings: Settings
) -> None:
    author = await create_user(session)
    post = await scheduled_post(session, author, in_seconds=3600)
    assert post.published_at is not None
    before = post.published_at - timedelta(seconds=1)
    after = post.published_at + timedelta(seconds=1)
    views = [(is_public(post, t), is_listed(post, t)) for t in (before, after)]

    await publish_scheduled_post(session, settings, post_id=post.id, due=post.published_at)

    record = await post_service(session, settings).posts.get_record(post.id)
    assert record is not None
    assert record.post.published_at == post.published_at
    assert [
        (is_public(record.post, t), is_listed(record.post, t)) for t in (before, after)
    ] == views


async def test_rescheduled_or_unscheduled_posts_are_left_to_their_new_plan(
    session: AsyncSession, settings: Settings
) -> None:
    author = await create_user(session)
    post = await scheduled_post(session, author, in_seconds=3600)
    first_time = post.published_at
    assert first_time is not None
    later = first_time + timedelta(hours=1)
    service = post_service(session, settings)
    await service.update(
        post_ref=post.id, editor=author, changes=PostUpdate(published_at=later), if_match=None
    )
    jobs = await publication_jobs(session, post.id)
    assert [job["scheduled_at"] for job in jobs] == [first_time, later]

    assert not await publish_scheduled_post(session, settings, post_id=post.id, due=first_time)
    await service.update(
        post_ref=post.id, editor=author, changes=PostUpdate(status="draft"), if_match=None
    )
    assert not await publish_scheduled_post(session, settings, post_id=post.id, due=later)
    assert await status_of(session, post.id) == "draft"
    assert await events_of(session, post.id, "post.published") == 0


async def test_an_edit_that_keeps_the_time_defers_no_second_job(
    session: AsyncSession, settings: Settings
) -> None:
    author = await create_user(session)
    post = await scheduled_post(session, author, in_seconds=3600)
    await post_service(session, settings).update(
        post_ref=post.id, editor=author, changes=PostUpdate(title="New title"), if_match=None
    )
    assert len(await publication_jobs(session, post.id)) == 1


async def test_the_sweep_publishes_a_due_post_that_has_no_job(
    session: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = await create_user(session)
    post = await scheduled_post(session, author, in_seconds=3600)
    waiting = await scheduled_post(session, author, in_seconds=7200)
    assert post.published_at is not None
    await session.execute(text("DELETE FROM procrastinate_jobs"))
    later = post.published_at + timedelta(seconds=1)
    monkeypatch.setattr("inkwell.posts.service.utcnow", lambda: later)

    assert await publish_due_posts(session, settings) == 1
    assert await publish_due_posts(session, settings) == 0
    assert await events_of(session, post.id, "post.published") == 1
    assert await status_of(session, waiting.id) == "scheduled"


async def test_a_rolled_back_scheduling_leaves_no_job(
    session: AsyncSession, settings: Settings
) -> None:
    author = await create_user(session)
    when = datetime.now(UTC) + timedelta(hours=1)
    service = post_service(session, settings)
    async with session.begin_nested() as attempt:
        data = PostCreate(title="Later", content_raw="Soon.", status="scheduled", published_at=when)
        post = (await service.create(author=author, data=data)).post
        assert len(await publication_jobs(session, post.id)) == 1
        await attempt.rollback()
    assert await publication_jobs(session, post.id) == []
