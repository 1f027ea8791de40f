"""Views: who counts once per 30 minutes, what is stored (no raw IP), and the daily stats."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.engagement.service import viewer_address
from inkwell.models.engagement import PostViewEvent
from inkwell.models.post import Post
from tests.conftest import api_client, make_settings
from tests.factories import create_post
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"
BROWSER = {"User-Agent": "Browser/1.0"}


async def view(client: httpx.AsyncClient, ref: object, **headers: str) -> dict[str, object]:
    response = await client.post(f"{POSTS}/{ref}/views", headers=headers or BROWSER)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_one_viewer_counts_once_per_30_minutes(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await create_post(session, alice.user)
    assert await view(client, post.id) == {"counted": True, "views_count": 1}
    assert await view(client, post.slug) == {"counted": False, "views_count": 1}
    # 31 minutes later the viewer counts again.
    await session.execute(
        update(PostViewEvent).values(seen_at=PostViewEvent.seen_at - timedelta(minutes=31))
    )
    assert await view(client, post.id) == {"counted": True, "views_count": 2}
    stored = await session.scalar(select(Post.views_count).where(Post.id == post.id))
    assert stored == await session.scalar(select(func.count()).select_from(PostViewEvent)) == 2


async def test_an_anonymous_viewer_is_its_address_whatever_its_user_agent(
    settings: Settings, app_state: AppState, session: AsyncSession, alice: Account
) -> None:
    app_state.settings = make_settings(settings.database_url or "", trust_forwarded_for=True)
    post = await create_post(session, alice.user)

    async def counted(ip: str, agent: str) -> object:
        headers = {"X-Forwarded-For": ip, "User-Agent": agent}
        return (await view(client, post.id, **headers))["counted"]

    async with api_client(app_state) as client:
        agents = [await counted("203.0.113.7", f"Agent/{n}") for n in range(25)]
        others = [await counted(ip, "Agent/0") for ip in ("203.0.113.8", "2001:db8:1:2::1")]
        same_network = await counted("2001:db8:1:2:ffff::9", "Agent/0")  # the same /64
    assert agents == [True] + [False] * 24
    assert (others, same_network) == ([True, True], False)
    assert await session.scalar(select(Post.views_count).where(Post.id == post.id)) == 3


async def test_a_signed_in_viewer_is_one_viewer_on_any_browser(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    first = await view(client, post.id, **BROWSER, **bob.headers)
    second = await view(client, post.id, **{"User-Agent": "Phone/9"}, **bob.headers)
    assert (first["counted"], second["counted"]) == (True, False)
    # The same browser signed out is another viewer.
    assert (await view(client, post.id))["counted"] is True
    users = await session.scalars(select(PostViewEvent.user_id).order_by(PostViewEvent.user_id))
    assert sorted(map(str, users)) == sorted([str(bob.user.id), "None"])


async def test_no_raw_ip_or_user_agent_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, alice: Account
) -> None:
    post = await create_post(session, alice.user)
    await view(client, post.id)
    row = (await session.execute(text("SELECT * FROM post_views"))).mappings().one()
    assert set(row) == {"id", "post_id", "user_id", "viewer_hash", "seen_at"}
    # httpx's test transport calls from 127.0.0.1.
    expected = hmac.new(settings.view_hash_key, b"ip:127.0.0.1", hashlib.sha256)
    assert bytes(row["viewer_hash"]) == expected.digest()
    assert b"127.0.0.1" not in bytes(row["viewer_hash"])


async def test_only_visible_posts_can_be_viewed(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    response = await client.post(f"{POSTS}/{draft.id}/views", headers=BROWSER)
    assert response.status_code == 404
    assert (await client.post(f"{POSTS}/nothing-here/views")).status_code == 404
    assert (await view(client, draft.id, **alice.headers))["counted"] is True


async def test_the_author_sees_views_per_day(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account, admin: Account
) -> None:
    post = await create_post(session, alice.user)
    await view(client, post.id)
    await view(client, post.id, **bob.headers)
    today = datetime.now(UTC).date()
    for days_ago, views in ((2, 3), (40, 1)):
        when = datetime.now(UTC) - timedelta(days=days_ago)
        for n in range(views):
            session.add(PostViewEvent(post_id=post.id, viewer_hash=bytes([n] * 32), seen_at=when))
    await session.flush()
    stats = await client.get(f"{POSTS}/{post.slug}/stats", headers=alice.headers)
    assert stats.status_code == 200
    daily = stats.json()
    assert len(daily) == 30
    assert daily[-1] == {"day": today.isoformat(), "views": 2}
    assert daily[-3] == {"day": (today - timedelta(days=2)).isoformat(), "views": 3}
    assert daily[0]["day"] == (today - timedelta(days=29)).isoformat()
    assert sum(d["views"] for d in daily) == 5
    longer = await client.get(f"{POSTS}/{post.id}/stats?days=365", headers=admin.headers)
    assert sum(d["views"] for d in longer.json()) == 6
    one_day = await client.get(f"{POSTS}/{post.id}/stats?days=1", headers=alice.headers)
    assert one_day.json() == [{"day": today.isoformat(), "views": 2}]


async def test_only_the_author_and_admins_see_stats(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    draft = await create_post(session, alice.user, status="draft")
    url = f"{POSTS}/{post.id}/stats"
    assert (await client.get(url)).status_code == 401
    refused = await client.get(url, headers=bob.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_post_author")
    assert (await client.get(f"{POSTS}/{draft.id}/stats", headers=bob.headers)).status_code == 404
    for days in (0, 366, -1):
        response = await client.get(f"{url}?days={days}", headers=alice.headers)
        assert response.status_code == 422


@pytest.mark.parametrize(
    ("ip", "address"),
    [
        ("198.51.100.4", "198.51.100.4"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("2001:db8:aa:bb:1:2:3:4", "2001:db8:aa:bb::/64"),
        ("not an address", "not an address"),
        (None, ""),
    ],
)
def test_an_anonymous_viewer_address(ip: str | None, address: str) -> None:
    assert viewer_address(ip) == address
