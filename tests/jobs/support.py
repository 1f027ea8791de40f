"""Reading the job queue and the events of one post in the jobs tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.user import User
from inkwell.posts.records import PostRow
from tests.factories import create_post


async def scheduled_post(session: AsyncSession, author: User, *, in_seconds: float) -> PostRow:
    when = datetime.now(UTC) + timedelta(seconds=in_seconds)
    return await create_post(session, author, status="scheduled", published_at=when.isoformat())


async def publication_jobs(session: AsyncSession, post_id: uuid.UUID) -> list[dict[str, Any]]:
    """The queued publication jobs of a post: their arguments and times."""
    rows = await session.execute(
        text(
            "SELECT args, scheduled_at, status::text AS status FROM procrastinate_jobs "
            "WHERE task_name = 'inkwell:publish_scheduled_post' AND args->>'post_id' = :post "
            "ORDER BY id"
        ),
        {"post": str(post_id)},
    )
    return [dict(row) for row in rows.mappings()]


async def events_of(session: AsyncSession, post_id: uuid.UUID, event_type: str) -> int:
    """How many events of a type the outbox holds for a post."""
    count = await session.scalar(
        text("SELECT count(*) FROM outbox_events WHERE key = :key AND type = :type"),
        {"key": str(post_id), "type": f"inkwell.{event_type}.v1"},
    )
    return int(count or 0)


async def status_of(session: AsyncSession, post_id: uuid.UUID) -> str:
    status = await session.scalar(
        text("SELECT status::text FROM posts WHERE id = :id"), {"id": post_id}
    )
    return str(status)
