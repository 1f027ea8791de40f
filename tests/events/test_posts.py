"""Post changes through /api/v1 leave their events: one per type, with the post's state."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import (
    PostArchived,
    PostCreated,
    PostDeleted,
    PostFeatured,
    PostPublished,
    PostRestored,
    PostUnfeatured,
    PostUnpublished,
    PostUpdated,
)
from tests.events.support import last_position, the_event, types_since
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


async def _create(client: httpx.AsyncClient, alice: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Events", "content_raw": "First *draft*.", "tags": ["Kafka", "outbox"]}
    response = await client.post(POSTS, json={**body, **fields}, headers=alice.headers)
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()
    return post


async def test_creating_a_draft_records_post_created_only(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="draft")
    data = await the_event(session, PostCreated, 0, post["id"])
    assert data.model_dump(mode="json") == {
        "post_id": post["id"],
        "author_id": str(alice.user.id),
        "actor_id": str(alice.user.id),
        "slug": "events",
        "title": "Events",
        "status": "draft",
        "published_at": None,
        "tags": ["kafka", "outbox"],
        "revision": post["version"],
    }
    assert await types_since(session, 0) == [PostCreated.event_type()]


async def test_creating_a_published_post_also_records_post_published(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="published")
    assert await types_since(session, 0) == [
        PostCreated.event_type(),
        PostPublished.event_type(),
    ]
    data = await the_event(session, PostPublished, 0, post["id"])
    assert isinstance(data, PostPublished)
    assert data.published_at is not None


async def test_editing_records_post_updated_with_the_changed_fields(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="draft")
    start = await last_position(session)
    response = await client.patch(
        f"{POSTS}/{post['id']}",
        json={"title": "Events, revised", "allow_comments": True, "tags": ["kafka"]},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    data = await the_event(session, PostUpdated, start, post["id"])
    assert isinstance(data, PostUpdated)
    assert data.changed == ["title", "tags"]  # allow_comments was already true
    assert (data.title, data.tags, data.revision) == (
        "Events, revised",
        ["kafka"],
        response.json()["version"],
    )
    assert await types_since(session, start) == [PostUpdated.event_type()]


async def test_archiving_by_an_edit_records_updated_then_archived(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="published")
    start = await last_position(session)
    response = await client.patch(
        f"{POSTS}/{post['id']}", json={"status": "archived"}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert await types_since(session, start) == [
        PostUpdated.event_type(),
        PostArchived.event_type(),
    ]
    await the_event(session, PostArchived, start, post["id"])


async def test_publish_and_unpublish_record_their_events_once(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="draft")
    for action, kind in (("publish", PostPublished), ("unpublish", PostUnpublished)):
        start = await last_position(session)
        for _ in range(2):  # the second call changes no status: no event
            response = await client.post(f"{POSTS}/{post['id']}/{action}", headers=alice.headers)
            assert response.status_code == 200, response.text
        data = await the_event(session, kind, start, post["id"])
        assert await types_since(session, start) == [kind.event_type()]
        assert isinstance(data, kind)


async def test_restoring_a_version_records_post_restored(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="draft")
    edit = {"content_raw": "Second draft."}
    response = await client.patch(f"{POSTS}/{post['id']}", json=edit, headers=alice.headers)
    assert response.status_code == 200, response.text
    start = await last_position(session)
    restored = await client.post(f"{POSTS}/{post['id']}/versions/1/restore", headers=alice.headers)
    assert restored.status_code == 200, restored.text
    data = await the_event(session, PostRestored, start, post["id"])
    assert isinstance(data, PostRestored)
    assert data.restored_version == 1
    assert await types_since(session, start) == [PostRestored.event_type()]


async def test_deleting_records_post_deleted(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await _create(client, alice, status="published")
    start = await last_position(session)
    response = await client.delete(f"{POSTS}/{post['id']}", headers=alice.headers)
    assert response.status_code == 204, response.text
    data = await the_event(session, PostDeleted, start, post["id"])
    assert data.model_dump() == {
        "post_id": uuid.UUID(post["id"]),
        "author_id": alice.user.id,
        "actor_id": alice.user.id,
        "slug": "events",
    }


async def test_featuring_records_its_events_once_with_the_editor_as_actor(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, editor: Account
) -> None:
    post = await _create(client, alice, status="published")
    url = f"{POSTS}/{post['id']}/featured"
    for method, kind in (("PUT", PostFeatured), ("DELETE", PostUnfeatured)):
        start = await last_position(session)
        for _ in range(2):  # the second call changes nothing: no event
            response = await client.request(method, url, headers=editor.headers)
            assert response.status_code == 200, response.text
        assert await types_since(session, start) == [kind.event_type()]
        data = await the_event(session, kind, start, post["id"])
        assert isinstance(data, kind)
        assert (data.actor_id, data.author_id) == (editor.user.id, alice.user.id)
        assert data.revision == response.json()["version"]
