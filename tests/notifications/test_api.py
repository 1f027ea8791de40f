"""The notification endpoints: sign-in required, the list and its keyset pages, the unread
filter and count, marking read (another user's notification is not found), and the settings."""

from __future__ import annotations

import uuid

import httpx
import pytest

from inkwell.posts.records import PostRow
from tests.notifications.conftest import (
    NOTIFICATIONS,
    POSTS,
    SETTINGS,
    Pump,
    comment_on,
    listed,
    put,
)
from tests.posts.conftest import Account, StatementCounter

DEFAULTS = {
    "comment": {"in_app": True, "email": "immediate"},
    "reply": {"in_app": True, "email": "immediate"},
    "like": {"in_app": True, "email": "off"},
    "follow": {"in_app": True, "email": "off"},
    "new_post": {"in_app": True, "email": "daily"},
    "comment_hidden": {"in_app": True, "email": "immediate"},
}


@pytest.fixture
async def five(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account, post: PostRow
) -> list[str]:
    """Five comments by bob on alice's post, notified to alice; their ids, newest first."""
    written = [await comment_on(client, bob, post) for _ in range(5)]
    await pump.run()
    return [item["id"] for item in reversed(written)]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", NOTIFICATIONS),
        ("GET", f"{NOTIFICATIONS}/unread-count"),
        ("POST", f"{NOTIFICATIONS}/{uuid.UUID(int=1)}/read"),
        ("POST", f"{NOTIFICATIONS}/read-all"),
        ("GET", SETTINGS),
        ("PUT", SETTINGS),
    ],
)
async def test_every_endpoint_needs_a_signed_in_user(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_list_is_newest_first_in_keyset_pages(
    client: httpx.AsyncClient, alice: Account, five: list[str]
) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(NOTIFICATIONS, params=params, headers=alice.headers)).json()
        seen += [item["comment"]["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == five
    assert cursor is None


async def test_a_page_costs_the_same_statements_however_long(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    carol: Account,
    post: PostRow,
    five: list[str],
    sql_statements: StatementCounter,
) -> None:
    await comment_on(client, carol, post)  # a second actor on the page
    await pump.run()
    counts = []
    for limit in (1, 6):
        sql_statements.reset()
        response = await client.get(NOTIFICATIONS, params={"limit": limit}, headers=alice.headers)
        assert len(response.json()["items"]) == limit
        counts.append(sql_statements.count)
    assert counts[0] == counts[1]
    assert sum("FROM notifications" in s for s in sql_statements.statements) == 1


@pytest.mark.parametrize(
    "params",
    [{"cursor": "nonsense"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 101}, {"unread": "maybe"}],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, alice: Account, params: dict[str, str | int]
) -> None:
    response = await client.get(NOTIFICATIONS, params=params, headers=alice.headers)
    assert response.status_code == 422, response.text


async def test_reading_one_moves_the_unread_count_and_the_unread_filter(
    client: httpx.AsyncClient, alice: Account, five: list[str]
) -> None:
    count = f"{NOTIFICATIONS}/unread-count"
    assert (await client.get(count, headers=alice.headers)).json() == {"unread": 5}
    first = (await listed(client, alice))[0]

    for _ in range(2):  # reading twice is still read, keeping the first time
        response = await client.post(f"{NOTIFICATIONS}/{first['id']}/read", headers=alice.headers)
        assert response.status_code == 204
    assert (await client.get(count, headers=alice.headers)).json() == {"unread": 4}
    unread = await listed(client, alice, unread="true")
    assert first["id"] not in {item["id"] for item in unread}
    assert len(unread) == 4

    assert (
        await client.post(f"{NOTIFICATIONS}/read-all", headers=alice.headers)
    ).status_code == 204
    assert (await client.get(count, headers=alice.headers)).json() == {"unread": 0}
    assert await listed(client, alice, unread="true") == []
    assert all(item["read_at"] for item in await listed(client, alice))


async def test_another_users_notification_is_not_found_and_stays_unread(
    client: httpx.AsyncClient, alice: Account, bob: Account, five: list[str]
) -> None:
    first = (await listed(client, alice))[0]
    for target in (first["id"], str(uuid.uuid4())):
        response = await client.post(f"{NOTIFICATIONS}/{target}/read", headers=bob.headers)
        assert response.status_code == 404
        assert response.json()["code"] == "notification_not_found"
    assert (await listed(client, alice))[0]["read_at"] is None
    await client.post(f"{NOTIFICATIONS}/read-all", headers=bob.headers)
    assert (await listed(client, alice))[0]["read_at"] is None
    bad = await client.post(f"{NOTIFICATIONS}/not-an-id/read", headers=alice.headers)
    assert bad.status_code == 422


async def test_a_liked_post_deleted_since_leaves_its_notification_without_a_subject(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account, post: PostRow
) -> None:
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await pump.run()
    await client.delete(f"{POSTS}/{post.id}", headers=alice.headers)
    [item] = await listed(client, alice)
    assert (item["kind"], item["post"]) == ("like", None)


async def test_settings_start_at_the_documented_defaults(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.get(SETTINGS, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


async def test_put_changes_the_kinds_given_and_keeps_the_others(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    change = {
        "like": {"in_app": False, "email": "off"},
        "reply": {"in_app": True, "email": "daily"},
    }
    response = await client.put(SETTINGS, json=change, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == DEFAULTS | change
    again = {"like": {"in_app": True, "email": "immediate"}}
    await client.put(SETTINGS, json=again, headers=alice.headers)
    assert (await client.get(SETTINGS, headers=alice.headers)).json() == DEFAULTS | change | again
    assert (await client.get(SETTINGS, headers=bob.headers)).json() == DEFAULTS


@pytest.mark.parametrize(
    "body",
    [
        {"likes": {"in_app": True, "email": "off"}},
        {"like": {"in_app": True, "email": "weekly"}},
        {"like": {"in_app": "yes please", "email": "off"}},
        {"like": {"in_app": True}},
        {"like": {"in_app": True, "email": "off", "sms": True}},
        {"like": None},
    ],
)
async def test_bad_settings_are_422_with_field_errors(
    client: httpx.AsyncClient, alice: Account, body: dict[str, object]
) -> None:
    response = await client.put(SETTINGS, json=body, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert (await client.get(SETTINGS, headers=alice.headers)).json() == DEFAULTS
