"""Preview links: a secret link shows a draft or scheduled post, read only, to whoever holds it,
until it expires or is revoked; only the author and admins make, list and revoke them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.post import PostPreviewLink
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"
PREVIEW = "/api/v1/preview"


async def _draft(client: httpx.AsyncClient, author: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Work in progress", "content_raw": "Not *yet* public.", **fields}
    created = await client.post(POSTS, json=body, headers=author.headers)
    assert created.status_code == 201, created.text
    post: dict[str, Any] = created.json()
    return post


async def _link(
    client: httpx.AsyncClient, author: Account, post_id: str, **body: Any
) -> dict[str, Any]:
    made = await client.post(f"{POSTS}/{post_id}/preview-links", json=body, headers=author.headers)
    assert made.status_code == 201, made.text
    link: dict[str, Any] = made.json()
    return link


async def test_a_link_shows_a_draft_to_anyone_who_has_it_and_to_no_one_else(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    draft = await _draft(client, alice)
    link = await _link(client, alice, draft["id"])
    assert link["token"].startswith("pv_")
    assert link["url"] == f"{PREVIEW}?token={link['token']}"  # after INKWELL_SITE_URL when set

    anonymous = await client.get(PREVIEW, params={"token": link["token"]})
    signed_in = await client.get(PREVIEW, params={"token": link["token"]}, headers=bob.headers)
    without = await client.get(f"{POSTS}/{draft['id']}", headers=bob.headers)

    for shown in (anonymous, signed_in):
        assert shown.status_code == 200, shown.text
        assert shown.json()["id"] == draft["id"]
        assert shown.json()["status"] == "draft"
        assert shown.json()["content_html"].startswith("<p>Not <em>yet</em>")
        assert "content_raw" not in shown.json() or shown.json()["content_raw"] is None
        assert shown.headers["x-robots-tag"] == "noindex, nofollow"
        assert shown.headers["cache-control"] == "private, no-store"
        assert shown.headers["referrer-policy"] == "no-referrer"
    assert without.status_code == 404


async def test_a_scheduled_post_is_previewed_before_its_time(
    client: httpx.AsyncClient, alice: Account
) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    post = await _draft(client, alice, status="scheduled", published_at=later)
    link = await _link(client, alice, post["id"])
    shown = await client.get(PREVIEW, params={"token": link["token"]})
    assert shown.status_code == 200
    assert shown.json()["status"] == "scheduled"


async def test_a_revoked_expired_or_made_up_link_is_a_plain_404(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    draft = await _draft(client, alice)
    revoked = await _link(client, alice, draft["id"])
    expiring = await _link(client, alice, draft["id"], expires_in_hours=1)
    url = f"{POSTS}/{draft['id']}/preview-links"

    gone = await client.delete(f"{url}/{revoked['id']}", headers=alice.headers)
    again = await client.delete(f"{url}/{revoked['id']}", headers=alice.headers)
    await session.execute(
        update(PostPreviewLink)
        .where(PostPreviewLink.id == expiring["id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )

    assert (gone.status_code, again.status_code) == (204, 204)
    for token in (revoked["token"], expiring["token"], "pv_made-up", revoked["token"] + "x"):
        refused = await client.get(PREVIEW, params={"token": token})
        assert refused.status_code == 404, token
        assert refused.json()["code"] == "post_not_found"
    assert (await client.get(PREVIEW)).status_code == 422


async def test_a_deleted_post_is_not_shown_by_its_links(
    client: httpx.AsyncClient, alice: Account
) -> None:
    draft = await _draft(client, alice)
    link = await _link(client, alice, draft["id"])
    assert (await client.delete(f"{POSTS}/{draft['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get(PREVIEW, params={"token": link["token"]})).status_code == 404


async def test_links_are_listed_without_tokens_and_only_the_token_hash_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    draft = await _draft(client, alice)
    first = await _link(client, alice, draft["id"], expires_in_hours=24)
    second = await _link(client, alice, draft["id"])
    await client.delete(f"{POSTS}/{draft['id']}/preview-links/{first['id']}", headers=alice.headers)

    listed = await client.get(f"{POSTS}/{draft['id']}/preview-links", headers=alice.headers)
    assert listed.status_code == 200
    items = listed.json()
    assert [i["id"] for i in items] == [second["id"], first["id"]]
    assert all("token" not in i for i in items)
    assert (items[0]["revoked_at"], items[0]["expires_at"]) == (None, None)
    assert None not in (items[1]["revoked_at"], items[1]["expires_at"])
    stored = (await session.scalars(select(PostPreviewLink.token_hash))).all()
    assert first["token"] not in stored
    assert {len(h) for h in stored} == {64}


async def test_only_the_author_and_admins_manage_links(
    client: httpx.AsyncClient, alice: Account, bob: Account, admin: Account
) -> None:
    draft = await _draft(client, alice)
    published = await _draft(client, alice, status="published")
    url = f"{POSTS}/{draft['id']}/preview-links"
    assert (await client.post(url, json={})).status_code == 401
    assert (await client.post(url, json={}, headers=bob.headers)).status_code == 404
    public = f"{POSTS}/{published['id']}/preview-links"
    assert (await client.post(public, json={}, headers=bob.headers)).status_code == 403
    assert (await client.get(url, headers=bob.headers)).status_code == 404
    by_admin = await client.post(url, json={}, headers=admin.headers)
    assert by_admin.status_code == 201
    link_id = by_admin.json()["id"]
    assert (await client.delete(f"{url}/{link_id}", headers=bob.headers)).status_code == 404
    other_post = f"{public}/{link_id}"
    assert (await client.delete(other_post, headers=alice.headers)).status_code == 404
    for bad in ({"expires_in_hours": 0}, {"expires_in_hours": 8761}, {"expires": 1}):
        assert (await client.post(url, json=bad, headers=alice.headers)).status_code == 422
