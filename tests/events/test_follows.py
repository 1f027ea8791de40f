"""Follows through /api/v1 leave user.followed and user.unfollowed, once per change."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import UserFollowed, UserUnfollowed
from tests.events.support import last_position, the_event, types_since
from tests.posts.conftest import Account


async def test_follow_and_unfollow_record_one_event_each(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    url = "/api/v1/users/bob/follow"
    start = await last_position(session)
    for _ in range(2):  # following twice is one change
        assert (await client.put(url, headers=alice.headers)).status_code == 200
    data = await the_event(session, UserFollowed, start, bob.user.id)
    assert data.model_dump() == {"follower_id": alice.user.id, "followee_id": bob.user.id}

    start = await last_position(session)
    for _ in range(2):
        assert (await client.delete(url, headers=alice.headers)).status_code == 200
    await the_event(session, UserUnfollowed, start, bob.user.id)
    assert await types_since(session, start) == [UserUnfollowed.event_type()]
