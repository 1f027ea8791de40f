"""Fixtures of the notifications tests: signed-in accounts, a post by alice, and a pump that
hands the test's own outbox rows to the notifications consumer (in the test's transaction,
so the consumer's handler runs against the real rows without waiting for commits)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.events.consumer import OutboxRow
from inkwell.models.notification import Notification
from inkwell.notifications.consumer import create_notifications
from inkwell.posts.records import PostRow
from tests.factories import create_post
from tests.posts.conftest import (  # noqa: F401 - shared fixtures
    Account,
    account,
    admin,
    alice,
    bob,
    moderator,
    sql_statements,
)

NOTIFICATIONS = "/api/v1/notifications"
SETTINGS = "/api/v1/users/me/notification-settings"
POSTS = "/api/v1/posts"
COMMENTS = "/api/v1/comments"
USERS = "/api/v1/users"

_ROWS = text(
    "SELECT position, xact_id, event_id, type, payload::text AS body FROM outbox_events"
    " WHERE position > :after ORDER BY position"
)


class Pump:
    """Runs the notifications consumer's handler over the outbox rows written since it
    started, as the worker would (each row once), or again over all of them (a replay)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.start = 0
        self.done = 0

    async def begin(self) -> None:
        last = await self.session.scalar(text("SELECT max(position) FROM outbox_events"))
        self.start = self.done = int(last or 0)

    async def run(self) -> int:
        """Hand over the rows not handed over yet; how many."""
        rows = await self._rows(self.done)
        if rows:
            await create_notifications(self.session, rows)
            await self.session.commit()
            self.done = rows[-1].position
        return len(rows)

    async def replay(self) -> None:
        """Hand over every row since the start again."""
        await create_notifications(self.session, await self._rows(self.start))
        await self.session.commit()

    async def _rows(self, after: int) -> list[OutboxRow]:
        result = await self.session.execute(_ROWS, {"after": after})
        return [OutboxRow(**row._mapping) for row in result]


@pytest.fixture
async def pump(session: AsyncSession) -> Pump:
    started = Pump(session)
    await started.begin()
    return started


@pytest.fixture
async def carol(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "carol")


@pytest.fixture
async def dave(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "dave")


@pytest.fixture
async def post(session: AsyncSession, alice: Account) -> PostRow:  # noqa: F811
    return await create_post(session, alice.user, title="Alice writes")


async def count_rows(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Notification)) or 0)


async def listed(client: httpx.AsyncClient, who: Account, **params: Any) -> list[dict[str, Any]]:
    """The notifications `who` sees (the first page of 100)."""
    response = await client.get(NOTIFICATIONS, params={"limit": 100, **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def comment_on(
    client: httpx.AsyncClient,
    who: Account,
    post: PostRow | str,
    *,
    parent: str | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": f"Words by {who.user.username}."}
    if parent is not None:
        body["parent_id"] = parent
    ref = post if isinstance(post, str) else str(post.id)
    response = await client.post(f"{POSTS}/{ref}/comments", json=body, headers=who.headers)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


async def put(client: httpx.AsyncClient, url: str, who: Account, expect: int = 200) -> Any:
    response = await client.put(url, headers=who.headers)
    assert response.status_code == expect, response.text
    return response
