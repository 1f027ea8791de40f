"""Follows: idempotent PUT/DELETE, the rules, profile counts and the paged lists."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.user import User
from tests.factories import create_user, follow
from tests.posts.conftest import Account, StatementCounter

USERS = "/api/v1/users"


async def test_follow_is_idempotent_and_shows_on_profiles(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    url = f"{USERS}/alice/follow"
    first = await client.put(url, headers=bob.headers)
    assert first.status_code == 200
    body = first.json()
    assert (body["username"], body["followers_count"], body["followed_by_me"]) == (
        "alice",
        1,
        True,
    )
    assert "email" not in body
    again = await client.put(f"{USERS}/ALICE/follow", headers=bob.headers)
    assert again.json()["followers_count"] == 1
    assert await session.scalar(select(func.count()).select_from(Follow)) == 1

    seen_by_bob = (await client.get(f"{USERS}/alice", headers=bob.headers)).json()
    assert (seen_by_bob["followers_count"], seen_by_bob["following_count"]) == (1, 0)
    assert seen_by_bob["followed_by_me"] is True
    assert (await client.get(f"{USERS}/alice")).json()["followed_by_me"] is False
    assert (await client.get(f"{USERS}/alice", headers=alice.headers)).json()[
        "followed_by_me"
    ] is False
    bobs = (await client.get(f"{USERS}/bob")).json()
    assert (bobs["followers_count"], bobs["following_count"]) == (0, 1)

    gone = await client.delete(url, headers=bob.headers)
    assert (gone.json()["followers_count"], gone.json()["followed_by_me"]) == (0, False)
    assert (await client.delete(url, headers=bob.headers)).json()["followers_count"] == 0


async def test_follow_rules(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    assert (await client.put(f"{USERS}/alice/follow")).status_code == 401
    assert (await client.delete(f"{USERS}/alice/follow")).status_code == 401
    itself = await client.put(f"{USERS}/alice/follow", headers=alice.headers)
    assert (itself.status_code, itself.json()["code"]) == (422, "cannot_follow_self")
    missing = await client.put(f"{USERS}/nobody/follow", headers=alice.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "user_not_found")
    await create_user(session, username="disabled", is_active=False)
    for method in ("PUT", "DELETE"):
        response = await client.request(method, f"{USERS}/disabled/follow", headers=bob.headers)
        assert response.status_code == 404
    assert (await client.get(f"{USERS}/disabled/followers")).status_code == 404


async def test_followers_and_following_are_paged_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    fans = [await create_user(session, username=f"fan{n}") for n in range(5)]
    for n, fan in enumerate(fans):
        await follow(session, fan, alice.user)
        await session.execute(
            update(Follow)
            .where(Follow.follower_id == fan.id)
            .values(created_at=func.now() - timedelta(minutes=10 - n))
        )
    await follow(session, alice.user, fans[0])
    page = (await client.get(f"{USERS}/alice/followers", params={"page_size": 2})).json()
    assert [p["username"] for p in page["items"]] == ["fan4", "fan3"]
    assert (page["total"], page["page"], page["page_size"]) == (5, 1, 2)
    assert set(page["items"][0]) == {"username", "display_name", "bio", "avatar_url", "created_at"}
    last = (await client.get(f"{USERS}/alice/followers?page=3&page_size=2")).json()
    assert [p["username"] for p in last["items"]] == ["fan0"]
    following = (await client.get(f"{USERS}/alice/following")).json()
    assert ([p["username"] for p in following["items"]], following["total"]) == (["fan0"], 1)
    assert (await client.get(f"{USERS}/nobody/following")).status_code == 404
    assert (await client.get(f"{USERS}/alice/followers?page_size=0")).status_code == 422

    # A closed or disabled account leaves the lists and the counts.
    await session.execute(update(User).where(User.id == fans[4].id).values(is_active=False))
    after = (await client.get(f"{USERS}/alice/followers")).json()
    assert after["total"] == 4
    assert "fan4" not in [p["username"] for p in after["items"]]
    assert (await client.get(f"{USERS}/alice")).json()["followers_count"] == 4


async def test_a_profile_costs_one_statement_however_many_followers(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    sql_statements: StatementCounter,
) -> None:
    for n in range(30):
        await follow(session, await create_user(session, username=f"reader{n}"), alice.user)
    sql_statements.reset()
    response = await client.get(f"{USERS}/alice", headers=alice.headers)
    assert response.json()["followers_count"] == 30
    # The caller's session, then the profile with its counts.
    assert sql_statements.count == 2
