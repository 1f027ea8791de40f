"""The RealWorld transport goes through the same services, so it records the same events."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import (
    CommentCreated,
    CommentDeleted,
    PostCreated,
    PostDeleted,
    PostLiked,
    PostPublished,
    PostUnliked,
    PostUpdated,
    UserFollowed,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)
from inkwell.events.envelope import EventData
from tests.events.support import last_position, outbox, the_event, types_since
from tests.realworld.conftest import Conduit, new_article


async def test_registration_and_profile_changes(
    api: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = {"username": "realworld", "email": "rw@example.com", "password": "a long passphrase"}
    registered = await api.post("/api/users", json={"user": user})
    assert registered.status_code == 201, registered.text
    (row,) = await outbox(session)
    await the_event(session, UserRegistered, 0, row.key)
    token = registered.json()["user"]["token"]
    start = await last_position(session)
    changed = await api.put(
        "/api/user",
        json={"user": {"bio": "Hello", "password": "another long passphrase"}},
        headers={"Authorization": f"Token {token}"},
    )
    assert changed.status_code == 200, changed.text
    data = await the_event(session, UserUpdated, start, row.key)
    assert data.changed == ["bio", "password"]  # one event for the one request


async def test_articles_favorites_comments_and_follows(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    article = await new_article(api, jake)
    post_id = (await outbox(session))[0].key
    assert await types_since(session, 0) == [
        PostCreated.event_type(),
        PostPublished.event_type(),
    ]
    slug = article["slug"]
    steps: list[tuple[str, str, Conduit, dict[str, Any] | None, type[EventData] | None]] = [
        ("PUT", f"/api/articles/{slug}", jake, {"article": {"body": "New"}}, PostUpdated),
        ("POST", f"/api/articles/{slug}/favorite", jane, None, PostLiked),
        ("DELETE", f"/api/articles/{slug}/favorite", jane, None, PostUnliked),
        ("POST", "/api/profiles/jake/follow", jane, None, UserFollowed),
        ("DELETE", "/api/profiles/jake/follow", jane, None, UserUnfollowed),
        ("POST", f"/api/articles/{slug}/comments", jane, {"comment": {"body": "Hi"}}, None),
    ]
    for method, url, who, body, kind in steps:
        start = await last_position(session)
        response = await api.request(method, url, json=body, headers=who.headers)
        assert response.status_code in {200, 201}, response.text
        if kind is not None:
            subject = jake.user.id if kind in {UserFollowed, UserUnfollowed} else post_id
            await the_event(session, kind, start, subject)
    comment = await the_event(session, CommentCreated, start, (await outbox(session, start))[0].key)
    number = response.json()["comment"]["id"]
    start = await last_position(session)
    deleted = await api.delete(f"/api/articles/{slug}/comments/{number}", headers=jane.headers)
    assert deleted.status_code in {200, 204}, deleted.text
    await the_event(session, CommentDeleted, start, comment.comment_id)
    start = await last_position(session)
    assert (await api.delete(f"/api/articles/{slug}", headers=jake.headers)).status_code in {
        200,
        204,
    }
    await the_event(session, PostDeleted, start, post_id)
