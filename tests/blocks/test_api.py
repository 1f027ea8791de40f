"""Blocking and muting: what a block refuses (comments, replies, follows) and ends (the
blocked account's follow), what muting leaves allowed, the lists, and the mistakes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.event import OutboxEvent
from inkwell.posts.records import PostRow
from tests.factories import create_post
from tests.notifications.conftest import USERS, comment_on, put
from tests.posts.conftest import Account

BLOCKED = {"status": 403, "code": "blocked"}


def _refusal(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    return {"status": response.status_code, "code": body["code"]}


async def _follows(session: AsyncSession, follower: Account, followee: Account) -> bool:
    found = await session.scalar(
        select(Follow.created_at).where(
            Follow.follower_id == follower.user.id, Follow.followee_id == followee.user.id
        )
    )
    return found is not None


async def test_a_blocked_account_cannot_comment_on_the_blockers_posts(
    client: httpx.AsyncClient, alice: Account, bob: Account, post: PostRow
) -> None:
    await put(client, f"{USERS}/bob/block", alice, expect=204)
    refused = await client.post(
        f"/api/v1/posts/{post.id}/comments", json={"content": "Hi"}, headers=bob.headers
    )
    assert _refusal(refused) == BLOCKED
    assert refused.headers["content-type"] == "application/problem+json"

    await client.delete(f"{USERS}/bob/block", headers=alice.headers)
    await comment_on(client, bob, post)


async def test_a_blocked_account_cannot_reply_to_the_blockers_comments_elsewhere(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    carol: Account,
) -> None:
    carols = await create_post(session, carol.user)
    alices = await comment_on(client, alice, carols)
    await put(client, f"{USERS}/bob/block", alice, expect=204)
    refused = await client.post(
        f"/api/v1/posts/{carols.id}/comments",
        json={"content": "Hi", "parent_id": alices["id"]},
        headers=bob.headers,
    )
    assert _refusal(refused) == BLOCKED
    await comment_on(client, bob, carols)  # a comment of its own on carol's post is fine


async def test_a_block_ends_the_blocked_accounts_follow_and_refuses_a_new_one(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    await put(client, f"{USERS}/bob/follow", alice)
    await put(client, f"{USERS}/bob/block", alice, expect=204)

    assert not await _follows(session, bob, alice)
    assert await _follows(session, alice, bob)  # the blocker's own follow stays
    refused = await client.put(f"{USERS}/alice/follow", headers=bob.headers)
    assert _refusal(refused) == BLOCKED
    assert not await _follows(session, bob, alice)


async def test_blocking_records_the_follow_it_ends_and_nothing_about_the_block(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    before = set(await session.scalars(select(OutboxEvent.event_id)))
    await put(client, f"{USERS}/bob/block", alice, expect=204)
    await put(client, f"{USERS}/bob/block", alice, expect=204)  # twice: nothing more
    await put(client, f"{USERS}/bob/mute", alice, expect=204)
    new = (
        await session.scalars(select(OutboxEvent).where(OutboxEvent.event_id.not_in(before)))
    ).all()
    assert [event.type for event in new] == ["inkwell.user.unfollowed.v1"]
    assert new[0].payload["data"] == {
        "follower_id": str(bob.user.id),
        "followee_id": str(alice.user.id),
    }


async def test_a_muted_account_may_still_comment_reply_and_follow(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account, post: PostRow
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    await put(client, f"{USERS}/bob/mute", alice, expect=204)
    alices = await comment_on(client, alice, post)
    await comment_on(client, bob, post, parent=alices["id"])
    await client.delete(f"{USERS}/alice/follow", headers=bob.headers)
    await put(client, f"{USERS}/alice/follow", bob)
    assert await _follows(session, bob, alice)


async def test_the_lists_page_the_blocked_and_muted_accounts_newest_first(
    client: httpx.AsyncClient, alice: Account, bob: Account, carol: Account, dave: Account
) -> None:
    for name in ("bob", "carol", "dave"):
        await put(client, f"{USERS}/{name}/block", alice, expect=204)
    await put(client, f"{USERS}/carol/mute", alice, expect=204)

    first = (await client.get(f"{USERS}/me/blocks?page_size=2", headers=alice.headers)).json()
    second = (
        await client.get(f"{USERS}/me/blocks?page_size=2&page=2", headers=alice.headers)
    ).json()
    names = [p["username"] for p in first["items"] + second["items"]]
    assert names == ["dave", "carol", "bob"]
    assert (first["total"], first["page"], second["page"]) == (3, 1, 2)
    assert "email" not in first["items"][0]

    mutes = (await client.get(f"{USERS}/me/mutes", headers=alice.headers)).json()
    assert [p["username"] for p in mutes["items"]] == ["carol"]
    blocks_of_bob = (await client.get(f"{USERS}/me/blocks", headers=bob.headers)).json()
    assert blocks_of_bob["total"] == 0

    await client.delete(f"{USERS}/carol/block", headers=alice.headers)
    await client.delete(f"{USERS}/carol/mute", headers=alice.headers)
    after = (await client.get(f"{USERS}/me/blocks", headers=alice.headers)).json()
    assert [p["username"] for p in after["items"]] == ["dave", "bob"]
    assert (await client.get(f"{USERS}/me/mutes", headers=alice.headers)).json()["total"] == 0


@pytest.mark.parametrize("what", ["block", "mute"])
async def test_blocking_or_muting_yourself_is_422(
    client: httpx.AsyncClient, alice: Account, what: str
) -> None:
    response = await client.put(f"{USERS}/alice/{what}", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "cannot_target_self"
    assert response.json()["errors"][0]["field"] == "username"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("what", ["block", "mute"])
async def test_an_unknown_account_is_404_and_signing_in_is_required(
    client: httpx.AsyncClient, alice: Account, method: str, what: str
) -> None:
    unknown = await client.request(method, f"{USERS}/nobody/{what}", headers=alice.headers)
    assert unknown.status_code == 404
    anonymous = await client.request(method, f"{USERS}/alice/{what}")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("path", ["me/blocks", "me/mutes"])
async def test_the_lists_need_a_signed_in_user_and_sane_pages(
    client: httpx.AsyncClient, alice: Account, path: str
) -> None:
    assert (await client.get(f"{USERS}/{path}")).status_code == 401
    bad = await client.get(f"{USERS}/{path}?page_size=101", headers=alice.headers)
    assert bad.status_code == 422
