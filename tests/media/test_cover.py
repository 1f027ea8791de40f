"""A post's cover: one of the author's ready uploads, shown in the post and in lists with its
variants, gone when the upload is deleted; other posts are unaffected."""

from __future__ import annotations

from typing import Any

import httpx

from inkwell.core.state import AppState
from tests.media.support import photo, processed, uploaded
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


async def _ready_upload(client: httpx.AsyncClient, state: AppState, who: Account) -> str:
    media_id = await uploaded(client, who.headers, photo("JPEG", 1000, 700))
    await processed(state, media_id)
    return media_id


async def _post(client: httpx.AsyncClient, who: Account, **fields: Any) -> httpx.Response:
    body = {"title": "With a cover", "content_raw": "Text.", "status": "published", **fields}
    return await client.post(POSTS, json=body, headers=who.headers)


async def test_a_cover_is_shown_in_the_post_and_in_lists(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    media_id = await _ready_upload(media_client, media_state, alice)
    media = (await media_client.get(f"/api/v1/media/{media_id}", headers=alice.headers)).json()
    created = await _post(media_client, alice, cover_media_id=media_id)
    assert created.status_code == 201, created.text
    cover = created.json()["cover"]
    assert cover["media_id"] == media_id
    assert (cover["width"], cover["height"]) == (700, 1000)
    assert cover["original"] == media["original"]
    assert cover["srcset"] == media["srcset"]

    read = (await media_client.get(f"{POSTS}/{created.json()['id']}")).json()
    assert read["cover"] == cover
    listed = (await media_client.get(POSTS)).json()["items"]
    assert [item["cover"] for item in listed] == [cover]


async def test_only_the_authors_ready_upload_can_be_the_cover(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, bob: Account
) -> None:
    bobs = await _ready_upload(media_client, media_state, bob)
    refused = await _post(media_client, alice, cover_media_id=bobs)
    assert (refused.status_code, refused.json()["code"]) == (422, "media_not_usable")
    assert refused.json()["errors"][0]["field"] == "cover_media_id"
    waiting = await uploaded(media_client, alice.headers, photo("PNG"))
    refused = await _post(media_client, alice, cover_media_id=waiting)
    assert refused.status_code == 422
    assert (await media_client.get(POSTS)).json()["items"] == []


async def test_a_cover_is_changed_removed_and_cleared_with_its_upload(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    first = await _ready_upload(media_client, media_state, alice)
    second = await _ready_upload(media_client, media_state, alice)
    one = (await _post(media_client, alice, cover_media_id=first)).json()
    other = (await _post(media_client, alice, title="Same cover", cover_media_id=first)).json()
    path = f"{POSTS}/{one['id']}"
    changed = await media_client.patch(path, json={"cover_media_id": second}, headers=alice.headers)
    assert changed.json()["cover"]["media_id"] == second
    removed = await media_client.patch(path, json={"cover_media_id": None}, headers=alice.headers)
    assert removed.json()["cover"] is None

    # Deleting a post leaves the other post's cover; deleting the upload clears it.
    assert (await media_client.delete(path, headers=alice.headers)).status_code == 204
    kept = (await media_client.get(f"{POSTS}/{other['id']}")).json()
    assert kept["cover"]["media_id"] == first
    etag = (await media_client.get(f"{POSTS}/{other['id']}")).headers["etag"]
    await media_client.delete(f"/api/v1/media/{first}", headers=alice.headers)
    after = await media_client.get(f"{POSTS}/{other['id']}")
    assert after.json()["cover"] is None
    assert after.headers["etag"] != etag
