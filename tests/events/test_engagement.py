"""Likes and bookmarks through /api/v1 leave one event per change, keyed by the post."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import (
    BookmarkAdded,
    BookmarkRemoved,
    EngagementEvent,
    PostLiked,
    PostUnliked,
)
from tests.events.support import last_position, the_event, types_since
from tests.factories import create_post
from tests.posts.conftest import Account

KINDS: dict[str, tuple[type[EngagementEvent], type[EngagementEvent]]] = {
    "like": (PostLiked, PostUnliked),
    "bookmark": (BookmarkAdded, BookmarkRemoved),
}


@pytest.mark.parametrize("mark", sorted(KINDS))
async def test_marking_and_unmarking_record_one_event_each(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account, mark: str
) -> None:
    added, removed = KINDS[mark]
    post = await create_post(session, alice.user)
    url = f"/api/v1/posts/{post.id}/{mark}"
    for method, kind in (("PUT", added), ("DELETE", removed)):
        start = await last_position(session)
        for _ in range(2):  # the second call changes nothing: no event
            response = await client.request(method, url, headers=bob.headers)
            assert response.status_code == 200, response.text
        data = await the_event(session, kind, start, post.id)
        assert (data.post_id, data.user_id) == (post.id, bob.user.id)
        assert await types_since(session, start) == [kind.event_type()]
        if isinstance(data, PostLiked | PostUnliked):
            assert data.likes_count == (1 if kind is PostLiked else 0)
