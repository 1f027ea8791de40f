"""Writing comments: who may comment, edit and delete, what content is accepted, the counter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.posts.records import PostRow
from tests.comments.conftest import COMMENTS, comment, counted, thread_url
from tests.factories import create_comment, create_post
from tests.posts.conftest import Account


async def test_create_renders_sanitised_html_and_counts(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, post: PostRow
) -> None:
    hostile = "Hi <script>alert(1)</script><a href='javascript:x()'>x</a> **there**"
    created = await comment(client, bob, post, hostile)
    assert "<script" not in created["content_html"]
    assert "javascript:" not in created["content_html"]
    assert "<strong>there</strong>" in created["content_html"]
    assert created["content_raw"] == hostile
    assert (created["status"], created["deleted"], created["edited_at"]) == ("visible", False, None)
    assert created["author"]["username"] == "bob"
    assert created["replies"] == []
    assert await counted(session, post.id) == (1, 1)
    shown = (await client.get(f"/api/v1/posts/{post.id}")).json()
    assert shown["comments_count"] == 1


async def test_create_needs_a_signed_in_user(client: httpx.AsyncClient, post: PostRow) -> None:
    response = await client.post(thread_url(post), json={"content": "x"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n\t "}, "content"),
        ({"content": "x" * 10_001}, "content"),
        ({"content": "nul \x00 byte"}, "content"),
        ({}, "content"),
        ({"content": "x", "parent_id": "not-a-uuid"}, "parent_id"),
        ({"content": "x", "status": "visible"}, "status"),
        ({"content": "x", "author_id": "00000000-0000-7000-8000-000000000000"}, "author_id"),
        ({"content": "x", "id": "00000000-0000-7000-8000-000000000000"}, "id"),
        ({"content": "x", "post_id": "00000000-0000-7000-8000-000000000000"}, "post_id"),
        ({"content": "x", "depth": 0}, "depth"),
    ],
)
async def test_invalid_bodies_are_refused(
    client: httpx.AsyncClient,
    bob: Account,
    post: PostRow,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(thread_url(post), json=body, headers=bob.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_the_longest_comment_is_accepted_and_huge_bodies_are_refused(
    client: httpx.AsyncClient, bob: Account, post: PostRow
) -> None:
    await comment(client, bob, post, "x" * 10_000)
    huge = await client.post(
        thread_url(post), json={"content": "x" * 2_000_000}, headers=bob.headers
    )
    assert huge.status_code == 413
    surrogate = await client.post(
        thread_url(post),
        content=b'{"content": "\\ud800"}',
        headers={**bob.headers, "content-type": "application/json"},
    )
    assert surrogate.status_code == 422


async def test_a_reply_to_a_comment_of_another_post_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account, post: PostRow
) -> None:
    other = await create_post(session, alice.user, title="Other")
    elsewhere = await create_comment(session, other, bob.user)
    gone = await create_comment(session, post, bob.user)
    await client.delete(f"{COMMENTS}/{gone.id}", headers=bob.headers)
    for parent in (str(elsewhere.id), str(gone.id), "00000000-0000-7000-8000-000000000000"):
        refused = await comment(client, bob, post, "reply", parent=parent, expect=422)
        assert refused["code"] == "invalid_parent"
        assert refused["errors"][0]["field"] == "parent_id"
    assert await counted(session, post.id) == (0, 0)


async def test_closed_posts_take_no_comments(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    closed = await create_post(session, alice.user, allow_comments=False)
    for who in (bob, alice):
        refused = await comment(client, who, closed, expect=403)
        assert refused["code"] == "comments_closed"
    reopened = await client.patch(
        f"/api/v1/posts/{closed.id}", json={"allow_comments": True}, headers=alice.headers
    )
    assert reopened.json()["allow_comments"] is True
    await comment(client, bob, closed)


async def test_post_comment_settings_are_set_by_the_author(
    client: httpx.AsyncClient, alice: Account
) -> None:
    created = await client.post(
        "/api/v1/posts",
        json={"title": "t", "content_raw": "c", "moderate_comments": True},
        headers=alice.headers,
    )
    post = created.json()
    assert (post["allow_comments"], post["moderate_comments"]) == (True, True)
    url = f"/api/v1/posts/{post['id']}"
    changed = await client.patch(url, json={"allow_comments": False}, headers=alice.headers)
    assert (changed.json()["allow_comments"], changed.json()["moderate_comments"]) == (False, True)
    refused = await client.patch(url, json={"moderate_comments": None}, headers=alice.headers)
    assert refused.status_code == 422


async def test_comments_on_unseen_posts_are_not_found(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    assert (await comment(client, bob, draft, expect=404))["code"] == "post_not_found"
    assert (await comment(client, bob, "no-such-post", expect=404))["code"] == "post_not_found"


async def test_only_the_author_edits_a_comment(
    *,
    client: httpx.AsyncClient,
    bob: Account,
    alice: Account,
    admin: Account,
    post: PostRow,
) -> None:
    created = await comment(client, bob, post, "before")
    url = f"{COMMENTS}/{created['id']}"
    for who in (alice, admin):
        refused = await client.patch(url, json={"content": "hacked"}, headers=who.headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "not_comment_author"
    assert (await client.patch(url, json={"content": "x"})).status_code == 401
    assert (await client.get(url)).json()["content_html"] == "<p>before</p>\n"
    edited = await client.patch(url, json={"content": "*after*"}, headers=bob.headers)
    assert edited.status_code == 200
    body = edited.json()
    assert (body["content_html"], body["content_raw"]) == ("<p><em>after</em></p>\n", "*after*")
    assert body["edited_at"] is not None
    assert (await client.get(url)).json()["content_html"] == "<p><em>after</em></p>\n"
    invalid = await client.patch(url, json={"content": ""}, headers=bob.headers)
    assert invalid.status_code == 422
    unknown = await client.patch(url, json={"content": "x", "status": "x"}, headers=bob.headers)
    assert unknown.status_code == 422


async def test_who_may_delete(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
    admin: Account,
    post: PostRow,
) -> None:
    carol = await create_comment(session, post, alice.user, content="by the post author")
    mine = [await create_comment(session, post, bob.user) for _ in range(4)]
    refused = await client.delete(f"{COMMENTS}/{carol.id}", headers=bob.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "cannot_delete_comment")
    assert (await client.delete(f"{COMMENTS}/{carol.id}")).status_code == 401
    assert (await client.get(f"{COMMENTS}/{carol.id}")).status_code == 200
    for who, target in zip((bob, alice, moderator, admin), mine, strict=True):
        response = await client.delete(f"{COMMENTS}/{target.id}", headers=who.headers)
        assert response.status_code == 204, response.text
    again = await client.delete(f"{COMMENTS}/{mine[0].id}", headers=bob.headers)
    assert again.status_code == 404
    assert (
        await client.patch(f"{COMMENTS}/{mine[0].id}", json={"content": "x"}, headers=bob.headers)
    ).status_code == 404
    assert await counted(session, post.id) == (1, 1)


async def test_writes_to_a_missing_comment_are_not_found(
    client: httpx.AsyncClient, admin: Account
) -> None:
    missing = f"{COMMENTS}/00000000-0000-7000-8000-000000000000"
    assert (
        await client.patch(missing, json={"content": "x"}, headers=admin.headers)
    ).status_code == 404
    assert (await client.delete(missing, headers=admin.headers)).status_code == 404
    assert (await client.post(f"{missing}/hide", headers=admin.headers)).status_code == 404
