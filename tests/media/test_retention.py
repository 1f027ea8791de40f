"""The prune job's part for media: uploads older than the retention time that no profile or
post uses are removed (rows, events, a job for the files); used ones and recent ones stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.state import AppState
from inkwell.events.catalogue import MediaDeleted
from inkwell.media.retention import remove_unused_media
from inkwell.models.media import Media
from tests.events.support import last_position, outbox
from tests.media.support import photo, processed, uploaded
from tests.posts.conftest import Account


async def _ready(client: httpx.AsyncClient, state: AppState, who: Account) -> str:
    media_id = await uploaded(client, who.headers, photo("JPEG", 600, 400))
    await processed(state, media_id)
    return media_id


async def _url(client: httpx.AsyncClient, who: Account, media_id: str) -> str:
    body = (await client.get(f"/api/v1/media/{media_id}", headers=who.headers)).json()
    url: str = body["variants"][0]["url"]
    return url


async def test_only_old_unused_uploads_are_removed(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, session: AsyncSession
) -> None:
    ids = {
        name: await _ready(media_client, media_state, alice)
        for name in ("avatar", "cover", "inline", "in_deleted_post", "unused", "recent")
    }
    await media_client.patch(
        "/api/v1/users/me", json={"avatar_media_id": ids["avatar"]}, headers=alice.headers
    )
    post = {"title": "A", "content_raw": "Text", "cover_media_id": ids["cover"]}
    await media_client.post("/api/v1/posts", json=post, headers=alice.headers)
    inline = f"![x]({await _url(media_client, alice, ids['inline'])})"
    await media_client.post(
        "/api/v1/posts", json={"title": "B", "content_raw": inline}, headers=alice.headers
    )
    gone = f"![y]({await _url(media_client, alice, ids['in_deleted_post'])})"
    deleted = await media_client.post(
        "/api/v1/posts", json={"title": "C", "content_raw": gone}, headers=alice.headers
    )
    await media_client.delete(f"/api/v1/posts/{deleted.json()['id']}", headers=alice.headers)
    old = [uuid.UUID(media_id) for name, media_id in ids.items() if name != "recent"]
    await session.execute(
        update(Media).where(Media.id.in_(old)).values(created_at=utcnow() - timedelta(days=40))
    )
    start = await last_position(session)

    cutoff = utcnow() - timedelta(days=media_state.settings.media_retention_days)
    assert await remove_unused_media(session, media_state.settings, cutoff) == 1
    left = set(await session.scalars(select(Media.id)))
    assert left == {uuid.UUID(media_id) for name, media_id in ids.items() if name != "unused"}
    events = [row for row in await outbox(session, start) if row.type == MediaDeleted.event_type()]
    assert [row.key for row in events] == [ids["unused"]]
    assert events[0].payload["data"]["actor_id"] is None
    assert await remove_unused_media(session, media_state.settings, cutoff) == 0


async def test_an_image_only_an_old_version_shows_is_kept(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, session: AsyncSession
) -> None:
    media_id = await _ready(media_client, media_state, alice)
    image = f"![x]({await _url(media_client, alice, media_id)})"
    created = await media_client.post(
        "/api/v1/posts", json={"title": "A", "content_raw": image}, headers=alice.headers
    )
    post = f"/api/v1/posts/{created.json()['id']}"
    edited = await media_client.patch(post, json={"content_raw": "No image"}, headers=alice.headers)
    assert edited.status_code == 200
    await session.execute(
        update(Media)
        .where(Media.id == uuid.UUID(media_id))
        .values(created_at=utcnow() - timedelta(days=40))
    )

    assert await remove_unused_media(session, media_state.settings, utcnow()) == 0
    restored = await media_client.post(f"{post}/versions/1/restore", headers=alice.headers)
    assert restored.status_code == 200
    assert media_id in [str(m) for m in await session.scalars(select(Media.id))]
    html = restored.json()["content_html"]
    assert 'loading="lazy"' in html
