"""Series: an owner's ordered posts; who changes them, which posts they may hold, what each
reader sees, and each post's place and neighbours in its own response."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_post
from tests.posts.conftest import Account, StatementCounter

SERIES = "/api/v1/series"
POSTS = "/api/v1/posts"


async def _series(client: httpx.AsyncClient, owner: Account, **body: Any) -> dict[str, Any]:
    made = await client.post(SERIES, json={"title": "Baking bread", **body}, headers=owner.headers)
    assert made.status_code == 201, made.text
    series: dict[str, Any] = made.json()
    return series


async def _put(
    client: httpx.AsyncClient, who: Account, series: dict[str, Any], ids: list[Any]
) -> httpx.Response:
    return await client.put(
        f"{SERIES}/{series['id']}/posts",
        json={"post_ids": [str(i) for i in ids]},
        headers=who.headers,
    )


async def test_create_read_update_and_delete_a_series(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    series = await _series(client, alice, description="From starter to loaf.")
    assert series["slug"] == "baking-bread"
    assert series["owner"]["username"] == "alice"
    assert series["posts"] == []
    by_slug = await client.get(f"{SERIES}/baking-bread")
    assert by_slug.json()["id"] == series["id"]
    again = await _series(client, bob)  # the same title: the slug gets a random tail
    assert again["slug"].startswith("baking-bread-")
    taken = await client.post(
        SERIES, json={"title": "x", "slug": "baking-bread"}, headers=bob.headers
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "series_slug_taken"

    listed = (await client.get(SERIES, params={"owner": "alice"})).json()
    assert [s["id"] for s in listed["items"]] == [series["id"]]
    assert (await client.get(SERIES)).json()["total"] == 2

    changed = await client.patch(
        f"{SERIES}/{series['id']}", json={"title": "Bread", "slug": "bread"}, headers=alice.headers
    )
    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["slug"]) == ("Bread", "bread")
    clash = await client.patch(
        f"{SERIES}/bread", json={"slug": again["slug"]}, headers=alice.headers
    )
    assert clash.status_code == 409
    assert (
        await client.patch(f"{SERIES}/bread", json={"title": None}, headers=alice.headers)
    ).status_code == 422
    assert (await client.delete(f"{SERIES}/bread", headers=alice.headers)).status_code == 204
    assert (await client.get(f"{SERIES}/bread")).status_code == 404


async def test_only_the_owner_and_admins_change_a_series(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
    admin: Account,
) -> None:
    series = await _series(client, alice)
    post = await create_post(session, alice.user)
    url = f"{SERIES}/{series['id']}"
    for who in (bob, moderator):
        refused = await client.patch(url, json={"title": "Mine"}, headers=who.headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "not_series_owner"
        assert (await _put(client, who, series, [post.id])).status_code == 403
        assert (await client.delete(url, headers=who.headers)).status_code == 403
    assert (await client.patch(url, json={"title": "Mine"})).status_code == 401
    by_admin = await _put(client, admin, series, [post.id])
    assert by_admin.status_code == 200
    assert [p["id"] for p in by_admin.json()["posts"]] == [str(post.id)]
    title = await session.scalar(
        text("SELECT title FROM series WHERE id = :id"), {"id": uuid.UUID(series["id"])}
    )
    assert title == "Baking bread"


async def test_the_posts_are_set_in_order_and_replaced(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    series = await _series(client, alice)
    one, two, three = [
        await create_post(session, alice.user, title=t) for t in ("One", "Two", "Three")
    ]
    put = await _put(client, alice, series, [three.id, one.id, two.id])
    assert put.status_code == 200, put.text
    assert [(p["title"], p["position"]) for p in put.json()["posts"]] == [
        ("Three", 1),
        ("One", 2),
        ("Two", 3),
    ]
    again = await _put(client, alice, series, [two.id])
    assert [p["title"] for p in again.json()["posts"]] == ["Two"]
    read = (await client.get(f"{POSTS}/{one.slug}")).json()
    assert read["series"] is None  # taken out
    emptied = await _put(client, alice, series, [])
    assert emptied.json()["posts"] == []


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("duplicate", 422, "series_duplicate_post"),
        ("unknown", 422, "series_unknown_post"),
        ("someone_elses_draft", 422, "series_unknown_post"),
        ("deleted", 422, "series_unknown_post"),
        ("foreign", 422, "series_foreign_post"),
        ("in_other_series", 409, "post_in_other_series"),
    ],
)
async def test_posts_a_series_cannot_hold(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    case: str,
    status: int,
    code: str,
) -> None:
    series = await _series(client, alice)
    mine = await create_post(session, alice.user)
    other: Any
    if case == "duplicate":
        other = mine.id
    elif case == "unknown":
        other = uuid.uuid4()
    elif case == "someone_elses_draft":
        other = (await create_post(session, bob.user, status="draft")).id
    elif case == "deleted":
        gone = await create_post(session, alice.user)
        assert (await client.delete(f"{POSTS}/{gone.id}", headers=alice.headers)).status_code == 204
        other = gone.id
    elif case == "foreign":
        other = (await create_post(session, bob.user)).id
    else:
        other = (await create_post(session, alice.user)).id
        second = await _series(client, alice, title="Other")
        assert (await _put(client, alice, second, [other])).status_code == 200
    refused = await _put(client, alice, series, [mine.id, other])
    assert refused.status_code == status, refused.text
    assert refused.json()["code"] == code
    assert refused.json()["errors"][0]["field"] == "post_ids.1"
    kept = await session.scalar(
        text("SELECT count(*) FROM series_posts WHERE series_id = :id"),
        {"id": uuid.UUID(series["id"])},
    )
    assert kept == 0


async def test_bad_bodies_are_422(client: httpx.AsyncClient, alice: Account) -> None:
    series = await _series(client, alice)
    url = f"{SERIES}/{series['id']}/posts"
    bad_lists: list[dict[str, Any]] = [
        {"post_ids": ["nope"]},
        {"post_ids": [str(uuid.uuid4())] * 501},
        {},
    ]
    for body in bad_lists:
        assert (await client.put(url, json=body, headers=alice.headers)).status_code == 422
    bad_series: list[dict[str, Any]] = [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "x", "slug": "Not A Slug"},
        {"title": "x", "extra": 1},
    ]
    for body in bad_series:
        assert (await client.post(SERIES, json=body, headers=alice.headers)).status_code == 422


async def test_readers_see_the_posts_they_may_see_and_each_post_its_neighbours(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    series = await _series(client, alice)
    one = await create_post(session, alice.user, title="One")
    draft = await create_post(session, alice.user, title="Draft", status="draft")
    three = await create_post(session, alice.user, title="Three")
    four = await create_post(session, alice.user, title="Four")
    assert (
        await _put(client, alice, series, [one.id, draft.id, three.id, four.id])
    ).status_code == 200

    shown = (await client.get(f"{SERIES}/{series['slug']}")).json()
    assert [(p["title"], p["position"]) for p in shown["posts"]] == [
        ("One", 1),
        ("Three", 2),
        ("Four", 3),
    ]
    own = (await client.get(f"{SERIES}/{series['id']}", headers=alice.headers)).json()
    assert [p["title"] for p in own["posts"]] == ["One", "Draft", "Three", "Four"]

    place = (await client.get(f"{POSTS}/{three.slug}", headers=bob.headers)).json()["series"]
    assert place == {
        "id": series["id"],
        "slug": series["slug"],
        "title": "Baking bread",
        "position": 2,  # the draft does not count for readers
        "count": 3,
        "previous": {"slug": one.slug, "title": "One"},
        "next": {"slug": four.slug, "title": "Four"},
    }
    first = (await client.get(f"{POSTS}/{one.id}")).json()["series"]
    assert (first["position"], first["previous"], first["next"]["title"]) == (1, None, "Three")
    last = (await client.get(f"{POSTS}/{four.id}")).json()["series"]
    assert (last["position"], last["count"], last["next"]) == (3, 3, None)
    # The author reading the draft sees it in its place, between public neighbours.
    in_draft = (await client.get(f"{POSTS}/{draft.id}", headers=alice.headers)).json()["series"]
    assert (in_draft["position"], in_draft["count"]) == (2, 4)
    assert (in_draft["previous"]["title"], in_draft["next"]["title"]) == ("One", "Three")
    assert "series" not in (await client.get(POSTS)).json()["items"][0]


async def test_a_series_change_changes_its_posts_etags(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    series = await _series(client, alice)
    post = await create_post(session, alice.user)
    before = (await client.get(f"{POSTS}/{post.slug}")).headers["etag"]
    assert (await _put(client, alice, series, [post.id])).status_code == 200
    placed = await client.get(f"{POSTS}/{post.slug}", headers={"If-None-Match": before})
    assert placed.status_code == 200
    renamed = await client.patch(
        f"{SERIES}/{series['id']}", json={"title": "New"}, headers=alice.headers
    )
    assert renamed.status_code == 200
    now = await client.get(
        f"{POSTS}/{post.slug}", headers={"If-None-Match": placed.headers["etag"]}
    )
    assert now.status_code == 200
    assert now.json()["series"]["title"] == "New"
    assert (
        await client.delete(f"{SERIES}/{series['id']}", headers=alice.headers)
    ).status_code == 204
    after = await client.get(f"{POSTS}/{post.slug}", headers={"If-None-Match": now.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["series"] is None


async def test_a_post_read_is_still_one_statement(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    sql_statements: StatementCounter,
) -> None:
    series = await _series(client, alice)
    posts = [await create_post(session, alice.user) for _ in range(3)]
    assert (await _put(client, alice, series, [p.id for p in posts])).status_code == 200
    for url in (f"{POSTS}/{posts[1].slug}", f"{POSTS}/{posts[1].id}"):
        sql_statements.reset()
        response = await client.get(url)
        assert response.status_code == 200
        assert response.json()["series"]["position"] == 2
        assert sql_statements.count == 1


async def test_a_neighbour_changing_changes_the_posts_etag_but_not_its_updated_at(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    series = await _series(client, alice)
    one, two = [await create_post(session, alice.user, title=t) for t in ("One", "Two")]
    assert (await _put(client, alice, series, [one.id, two.id])).status_code == 200
    before = await client.get(f"{POSTS}/{one.slug}")
    renamed = await client.patch(
        f"{POSTS}/{two.id}", json={"title": "Two, renamed"}, headers=alice.headers
    )
    assert renamed.status_code == 200
    after = await client.get(
        f"{POSTS}/{one.slug}", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.json()["series"]["next"]["title"] == "Two, renamed"
    assert after.json()["updated_at"] == before.json()["updated_at"]
    assert (await client.delete(f"{POSTS}/{two.id}", headers=alice.headers)).status_code == 204
    gone = await client.get(f"{POSTS}/{one.slug}", headers={"If-None-Match": after.headers["etag"]})
    assert gone.status_code == 200
    assert (gone.json()["series"]["next"], gone.json()["series"]["count"]) == (None, 1)
