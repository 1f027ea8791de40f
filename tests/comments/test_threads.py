"""Reading comments: nested threads, order, paging, tombstones, the depth limit, no N+1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.user import User
from inkwell.posts.records import PostRow
from tests.comments.conftest import COMMENTS, comment, counted, thread_url
from tests.factories import create_comment, create_post
from tests.posts.conftest import Account, StatementCounter


def contents(items: list[dict[str, Any]]) -> list[Any]:
    """The thread as nested [content, [replies...]] (placeholders as None)."""
    return [[c["content_html"], contents(c["replies"])] for c in items]


async def test_threads_nest_replies_in_order_newest_roots_first(
    client: httpx.AsyncClient, alice: Account, bob: Account, post: PostRow
) -> None:
    first = await comment(client, bob, post, "first")
    second = await comment(client, alice, post, "second")
    a = await comment(client, alice, post, "a", parent=first["id"])
    await comment(client, bob, post, "a1", parent=a["id"])
    await comment(client, bob, post, "b", parent=first["id"])
    response = await client.get(thread_url(post))
    assert response.status_code == 200
    body = response.json()
    assert contents(body["items"]) == [
        ["<p>second</p>\n", []],
        [
            "<p>first</p>\n",
            [["<p>a</p>\n", [["<p>a1</p>\n", []]]], ["<p>b</p>\n", []]],
        ],
    ]
    assert (body["total"], body["threads"], body["page"], body["page_size"]) == (5, 2, 1, 20)
    assert body["items"][0]["id"] == second["id"]
    reply = body["items"][1]["replies"][0]
    assert (reply["depth"], reply["parent_id"], reply["post_id"]) == (1, first["id"], str(post.id))
    assert reply["author"] == {"username": "alice", "display_name": None, "avatar_url": None}
    oldest = (await client.get(thread_url(post), params={"order": "oldest"})).json()
    assert [c["id"] for c in oldest["items"]] == [first["id"], second["id"]]


async def test_threads_sort_newest_or_oldest_and_order_is_the_old_name_of_sort(
    client: httpx.AsyncClient, alice: Account, post: PostRow
) -> None:
    first = await comment(client, alice, post, "first")
    second = await comment(client, alice, post, "second")
    oldest_first, newest_first = [first["id"], second["id"]], [second["id"], first["id"]]
    expected = [
        ({}, newest_first),
        ({"sort": "newest"}, newest_first),
        ({"sort": "oldest"}, oldest_first),
        ({"order": "oldest"}, oldest_first),
        ({"sort": "newest", "order": "oldest"}, newest_first),  # sort wins
    ]
    for params, ids in expected:
        response = await client.get(thread_url(post), params=params)
        assert [c["id"] for c in response.json()["items"]] == ids, params
    for params in ({"sort": "popular"}, {"order": "popular"}):
        refused = await client.get(thread_url(post), params=params)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == list(params)


async def test_the_comment_sort_is_documented_with_order_as_its_deprecated_name(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/posts/{post}/comments"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["sort"]["schema"]["enum"] == ["newest", "oldest"]
    assert parameters["sort"].get("deprecated") is None
    assert parameters["order"]["deprecated"] is True
    assert "sort" in parameters["order"]["description"]


async def test_roots_are_paged_and_replies_come_with_their_root(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, post: PostRow
) -> None:
    roots = [await create_comment(session, post, bob.user, content=f"r{n}") for n in range(5)]
    await create_comment(session, post, bob.user, content="reply", parent=roots[1])
    page = (await client.get(thread_url(post), params={"page": 2, "page_size": 2})).json()
    assert [c["content_html"] for c in page["items"]] == ["<p>r2</p>\n", "<p>r1</p>\n"]
    assert page["items"][1]["replies"][0]["content_html"] == "<p>reply</p>\n"
    assert (page["total"], page["threads"]) == (6, 5)
    past = (await client.get(thread_url(post), params={"page": 9, "page_size": 2})).json()
    assert (past["items"], past["threads"]) == ([], 5)


async def test_a_post_can_be_named_by_slug_or_old_slug(
    client: httpx.AsyncClient, alice: Account, bob: Account, post: PostRow
) -> None:
    await comment(client, bob, post.slug, "by slug")
    renamed = await client.patch(
        f"/api/v1/posts/{post.id}", json={"slug": "new-name"}, headers=alice.headers
    )
    assert renamed.status_code == 200
    for ref in ("new-name", post.slug, str(post.id)):
        assert len((await client.get(thread_url(ref))).json()["items"]) == 1


async def test_posts_the_reader_cannot_see_have_no_comments(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    assert (await client.get(thread_url(draft))).status_code == 404
    assert (await client.get(thread_url(draft), headers=bob.headers)).status_code == 404
    assert (await client.get(thread_url(draft), headers=alice.headers)).status_code == 200
    assert (await client.get(thread_url("no-such-post"))).status_code == 404
    assert (await client.get(thread_url("not a slug!"))).status_code == 404
    own = await create_comment(session, draft, alice.user)
    assert (await client.get(f"{COMMENTS}/{own.id}")).status_code == 404
    assert (await client.get(f"{COMMENTS}/{own.id}", headers=alice.headers)).status_code == 200


async def test_one_comment_comes_with_its_subtree(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, post: PostRow
) -> None:
    root = await create_comment(session, post, bob.user, content="root")
    child = await create_comment(session, post, bob.user, content="child", parent=root)
    await create_comment(session, post, bob.user, content="grandchild", parent=child)
    await create_comment(session, post, bob.user, content="sibling")
    body = (await client.get(f"{COMMENTS}/{child.id}")).json()
    assert contents([body]) == [["<p>child</p>\n", [["<p>grandchild</p>\n", []]]]]
    assert body["number"] == child.number
    missing = await client.get(f"{COMMENTS}/00000000-0000-7000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "comment_not_found"


async def test_markdown_source_is_shown_only_to_its_author(
    client: httpx.AsyncClient, alice: Account, bob: Account, post: PostRow
) -> None:
    created = await comment(client, bob, post, "*mine*")
    assert created["content_raw"] == "*mine*"
    url = f"{COMMENTS}/{created['id']}"
    assert (await client.get(url, headers=bob.headers)).json()["content_raw"] == "*mine*"
    assert (await client.get(url, headers=alice.headers)).json()["content_raw"] is None
    assert (await client.get(url)).json()["content_raw"] is None
    assert "email" not in (await client.get(url)).json()["author"]


async def test_deleted_comment_with_replies_is_a_tombstone(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, alice: Account, post: PostRow
) -> None:
    root = await comment(client, bob, post, "root")
    reply = await comment(client, alice, post, "reply", parent=root["id"])
    leaf = await comment(client, bob, post, "leaf")
    for gone in (root, leaf):
        deleted = await client.delete(f"{COMMENTS}/{gone['id']}", headers=bob.headers)
        assert deleted.status_code == 204
    body = (await client.get(thread_url(post))).json()
    assert len(body["items"]) == 1
    tombstone = body["items"][0]
    assert tombstone["id"] == root["id"]
    assert tombstone["deleted"] is True
    assert (tombstone["content_html"], tombstone["content_raw"], tombstone["author"]) == (
        None,
        None,
        None,
    )
    assert tombstone["replies"][0]["content_html"] == "<p>reply</p>\n"
    assert (body["total"], body["threads"]) == (1, 1)
    assert await counted(session, post.id) == (1, 1)
    single = (await client.get(f"{COMMENTS}/{root['id']}")).json()
    assert single["deleted"] is True
    assert len(single["replies"]) == 1
    assert (await client.get(f"{COMMENTS}/{leaf['id']}")).status_code == 404
    # Once the last reply goes too, the whole thread disappears.
    await client.delete(f"{COMMENTS}/{reply['id']}", headers=alice.headers)
    body = (await client.get(thread_url(post))).json()
    assert (body["items"], body["total"], body["threads"]) == ([], 0, 0)
    assert (await client.get(f"{COMMENTS}/{root['id']}")).status_code == 404


async def test_tombstones_nest_when_a_deep_reply_survives(
    client: httpx.AsyncClient, bob: Account, post: PostRow
) -> None:
    top = await comment(client, bob, post, "top")
    middle = await comment(client, bob, post, "middle", parent=top["id"])
    await comment(client, bob, post, "bottom", parent=middle["id"])
    for gone in (middle, top):
        assert (await client.delete(f"{COMMENTS}/{gone['id']}", headers=bob.headers)).status_code
    body = (await client.get(thread_url(post))).json()
    assert contents(body["items"]) == [[None, [[None, [["<p>bottom</p>\n", []]]]]]]


async def test_replies_deeper_than_the_limit_attach_at_the_deepest_level(
    client: httpx.AsyncClient, bob: Account, post: PostRow
) -> None:
    chain = [await comment(client, bob, post, "d0")]
    for n in range(1, 8):
        chain.append(await comment(client, bob, post, f"d{n}", parent=chain[-1]["id"]))
    assert [c["depth"] for c in chain] == [0, 1, 2, 3, 4, 5, 5, 5]
    # d6 replied to d5 (at the limit), so it became d5's sibling: both under d4.
    assert chain[6]["parent_id"] == chain[5]["parent_id"] == chain[4]["id"]
    assert chain[7]["parent_id"] == chain[4]["id"]
    node = (await client.get(thread_url(post))).json()["items"][0]
    for _ in range(4):
        assert len(node["replies"]) == 1
        node = node["replies"][0]
    assert node["content_html"] == "<p>d4</p>\n"
    assert [r["content_html"] for r in node["replies"]] == [f"<p>d{n}</p>\n" for n in (5, 6, 7)]
    assert all(r["replies"] == [] for r in node["replies"])


async def test_the_depth_limit_is_a_setting(
    session: AsyncSession, bob: Account, post: PostRow
) -> None:
    root = await create_comment(session, post, bob.user, max_depth=1)
    child = await create_comment(session, post, bob.user, parent=root, max_depth=1)
    deeper = await create_comment(session, post, bob.user, parent=child, max_depth=1)
    assert (child.depth, deeper.depth, deeper.parent_id) == (1, 1, root.id)


async def test_closed_accounts_show_as_no_author(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, post: PostRow
) -> None:
    created = await comment(client, bob, post, "still here")
    user = await session.get(User, bob.user.id)
    assert user is not None
    user.deleted_at = datetime.now(UTC)
    await session.commit()
    shown = (await client.get(f"{COMMENTS}/{created['id']}")).json()
    assert (shown["author"], shown["content_html"]) == (None, "<p>still here</p>\n")


async def test_a_page_of_threads_costs_the_same_statements_for_1_or_20(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    bob: Account,
    post: PostRow,
    sql_statements: StatementCounter,
) -> None:
    async def thread(n: int) -> None:
        root = await create_comment(session, post, bob.user, content=f"root {n}")
        reply = await create_comment(session, post, bob.user, parent=root)
        await create_comment(session, post, bob.user, parent=reply)
        await create_comment(session, post, bob.user, parent=root)

    async def count() -> int:
        sql_statements.reset()
        response = await client.get(thread_url(post), headers=bob.headers)
        assert response.status_code == 200
        return sql_statements.count

    await thread(0)
    one = await count()
    for n in range(1, 20):
        await thread(n)
    many = await count()
    body = (await client.get(thread_url(post))).json()
    assert (len(body["items"]), body["total"]) == (20, 80)
    assert all(len(item["replies"]) == 2 for item in body["items"])
    # The signed-in principal, then the post with its page of threads (roots, replies and
    # their count).
    assert one == many == 2, sql_statements.statements
