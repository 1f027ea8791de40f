"""An upload as the avatar: only one's own ready upload, its URL in the profile and in the
RealWorld `image`, and gone with the upload."""

from __future__ import annotations

from typing import Any

import httpx

from inkwell.core.state import AppState
from tests.factories import realworld_token
from tests.media.support import photo, processed, uploaded
from tests.posts.conftest import Account

ME = "/api/v1/users/me"


async def _ready_upload(client: httpx.AsyncClient, state: AppState, who: Account) -> str:
    media_id = await uploaded(client, who.headers, photo("JPEG", 600, 400))
    await processed(state, media_id)
    return media_id


async def _set(client: httpx.AsyncClient, who: Account, body: dict[str, Any]) -> httpx.Response:
    return await client.patch(ME, json=body, headers=who.headers)


async def test_an_upload_becomes_the_avatar_everywhere(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    media_id = await _ready_upload(media_client, media_state, alice)
    original = (await media_client.get(f"/api/v1/media/{media_id}", headers=alice.headers)).json()
    response = await _set(media_client, alice, {"avatar_media_id": media_id})
    assert response.status_code == 200, response.text
    assert response.json()["avatar_media_id"] == media_id
    assert response.json()["avatar_url"] == original["original"]["url"]

    token = await realworld_token(media_state, alice.user)
    user = await media_client.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert user.json()["user"]["image"] == original["original"]["url"]
    profile = await media_client.get("/api/profiles/alice")
    assert profile.json()["profile"]["image"] == original["original"]["url"]


async def test_only_ones_own_ready_upload_can_be_the_avatar(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, bob: Account
) -> None:
    bobs = await _ready_upload(media_client, media_state, bob)
    refused = await _set(media_client, alice, {"avatar_media_id": bobs})
    assert (refused.status_code, refused.json()["code"]) == (422, "media_not_usable")
    assert refused.json()["errors"][0]["field"] == "avatar_media_id"

    waiting = await uploaded(media_client, alice.headers, photo("PNG"))
    refused = await _set(media_client, alice, {"avatar_media_id": waiting})
    assert refused.status_code == 422
    assert "processing" in refused.json()["detail"]
    both = await _set(
        media_client, alice, {"avatar_media_id": waiting, "avatar_url": "https://a.example/x.png"}
    )
    assert both.status_code == 422
    unchanged = (await media_client.get(ME, headers=alice.headers)).json()
    assert (unchanged["avatar_media_id"], unchanged["avatar_url"]) == (None, None)


async def test_a_url_or_null_replaces_the_upload_and_deleting_it_clears_the_avatar(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    media_id = await _ready_upload(media_client, media_state, alice)
    await _set(media_client, alice, {"avatar_media_id": media_id})
    url = "https://images.example.com/me.png"
    replaced = (await _set(media_client, alice, {"avatar_url": url})).json()
    assert (replaced["avatar_media_id"], replaced["avatar_url"]) == (None, url)

    await _set(media_client, alice, {"avatar_media_id": media_id})
    removed = (await _set(media_client, alice, {"avatar_media_id": None})).json()
    assert (removed["avatar_media_id"], removed["avatar_url"]) == (None, None)

    await _set(media_client, alice, {"avatar_media_id": media_id})
    deleted = await media_client.delete(f"/api/v1/media/{media_id}", headers=alice.headers)
    assert deleted.status_code == 204
    after = (await media_client.get(ME, headers=alice.headers)).json()
    assert (after["avatar_media_id"], after["avatar_url"]) == (None, None)
