"""Comment changes through /api/v1 leave their events: created, edited, moderated, deleted."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import (
    CommentApproved,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentEvent,
    CommentHidden,
    CommentUnhidden,
)
from tests.events.support import last_position, the_event, types_since
from tests.factories import create_post
from tests.posts.conftest import Account


async def test_a_comments_life_records_one_event_per_change(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user, moderate_comments=True)
    created = await client.post(
        f"/api/v1/posts/{post.id}/comments", json={"content": "Hi"}, headers=bob.headers
    )
    assert created.status_code == 201, created.text
    comment_id = created.json()["id"]
    data = await the_event(session, CommentCreated, 0, comment_id)
    assert data.model_dump(mode="json") == {
        "comment_id": comment_id,
        "post_id": str(post.id),
        "author_id": str(bob.user.id),
        "parent_id": None,
        "status": "pending",
        "depth": 0,
    }
    steps: list[tuple[str, str, Account, type[CommentEvent], str]] = [
        ("POST", "approve", alice, CommentApproved, "visible"),
        ("PATCH", "", bob, CommentEdited, "visible"),
        ("POST", "hide", alice, CommentHidden, "hidden"),
        ("POST", "unhide", alice, CommentUnhidden, "visible"),
        ("DELETE", "", bob, CommentDeleted, "visible"),
    ]
    for method, action, who, kind, status in steps:
        start = await last_position(session)
        url = f"/api/v1/comments/{comment_id}" + (f"/{action}" if action else "")
        body = {"content": "Hi again"} if method == "PATCH" else None
        response = await client.request(method, url, json=body, headers=who.headers)
        assert response.status_code in {200, 204}, response.text
        moved = await the_event(session, kind, start, comment_id)
        assert moved.status == status
        assert await types_since(session, start) == [kind.event_type()]
    assert isinstance(moved, CommentDeleted)
    assert moved.deleted_by == bob.user.id


async def test_moderating_to_the_same_status_records_nothing(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    created = await client.post(
        f"/api/v1/posts/{post.id}/comments", json={"content": "Hi"}, headers=bob.headers
    )
    start = await last_position(session)
    approved = await client.post(
        f"/api/v1/comments/{created.json()['id']}/approve", headers=alice.headers
    )
    assert approved.status_code == 200, approved.text
    assert await types_since(session, start) == []
