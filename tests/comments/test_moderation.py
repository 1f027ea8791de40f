"""Moderation: hiding, held comments and approval, and what each reader sees and counts."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.posts.records import PostRow
from tests.comments.conftest import COMMENTS, comment, counted, thread_url
from tests.factories import create_comment, create_post
from tests.posts.conftest import Account


@pytest.fixture
async def moderated(session: AsyncSession, alice: Account) -> PostRow:
    return await create_post(session, alice.user, title="Moderated", moderate_comments=True)


async def test_hidden_comments_are_invisible_and_not_counted(
    client: httpx.AsyncClient,
    session: AsyncSession,
    bob: Account,
    moderator: Account,
    post: PostRow,
) -> None:
    kept = await comment(client, bob, post, "kept")
    rude = await comment(client, bob, post, "rude")
    hidden = await client.post(f"{COMMENTS}/{rude['id']}/hide", headers=moderator.headers)
    assert hidden.status_code == 200
    assert (hidden.json()["status"], hidden.json()["content_html"]) == ("hidden", "<p>rude</p>\n")
    assert await counted(session, post.id) == (1, 1)
    for headers in ({}, bob.headers):
        body = (await client.get(thread_url(post), headers=headers)).json()
        assert [c["id"] for c in body["items"]] == [kept["id"]]
        assert (body["total"], body["threads"]) == (1, 1)
        url = f"{COMMENTS}/{rude['id']}"
        assert (await client.get(url, headers=headers)).status_code == 404
    # Moderators still see it, marked.
    seen = (await client.get(thread_url(post), headers=moderator.headers)).json()
    assert [c["status"] for c in seen["items"]] == ["hidden", "visible"]
    # Hiding twice changes nothing; unhiding counts it again.
    await client.post(f"{COMMENTS}/{rude['id']}/hide", headers=moderator.headers)
    assert await counted(session, post.id) == (1, 1)
    shown = await client.post(f"{COMMENTS}/{rude['id']}/unhide", headers=moderator.headers)
    assert shown.json()["status"] == "visible"
    await client.post(f"{COMMENTS}/{rude['id']}/unhide", headers=moderator.headers)
    assert await counted(session, post.id) == (2, 2)


async def test_deleting_a_hidden_comment_does_not_count_twice(
    client: httpx.AsyncClient, session: AsyncSession, bob: Account, admin: Account, post: PostRow
) -> None:
    target = await comment(client, bob, post, "soon hidden")
    await client.post(f"{COMMENTS}/{target['id']}/hide", headers=admin.headers)
    # Its author still can delete it (and edit it), though it stays hidden from them.
    assert (await client.get(f"{COMMENTS}/{target['id']}", headers=bob.headers)).status_code == 404
    edit = await client.patch(
        f"{COMMENTS}/{target['id']}", json={"content": "sorry"}, headers=bob.headers
    )
    assert edit.json()["status"] == "hidden"
    assert (
        await client.delete(f"{COMMENTS}/{target['id']}", headers=bob.headers)
    ).status_code == 204
    assert await counted(session, post.id) == (0, 0)


async def test_a_hidden_comment_with_replies_stays_as_a_placeholder(
    client: httpx.AsyncClient, bob: Account, alice: Account, post: PostRow
) -> None:
    parent = await comment(client, bob, post, "parent")
    await comment(client, alice, post, "answer", parent=parent["id"])
    await client.post(f"{COMMENTS}/{parent['id']}/hide", headers=alice.headers)
    body = (await client.get(thread_url(post))).json()
    placeholder = body["items"][0]
    assert (placeholder["status"], placeholder["deleted"]) == ("hidden", False)
    assert (placeholder["content_html"], placeholder["author"]) == (None, None)
    assert placeholder["replies"][0]["content_html"] == "<p>answer</p>\n"
    assert body["total"] == 1
    refused = await comment(client, alice, post, "x", parent=parent["id"], expect=422)
    assert refused["errors"][0]["field"] == "parent_id"


async def test_who_may_moderate(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
    admin: Account,
    post: PostRow,
) -> None:
    target = await create_comment(session, post, bob.user)
    for action in ("hide", "unhide", "approve"):
        url = f"{COMMENTS}/{target.id}/{action}"
        assert (await client.post(url)).status_code == 401
        refused = await client.post(url, headers=bob.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_comment_moderator")
    for who in (alice, moderator, admin):
        response = await client.post(f"{COMMENTS}/{target.id}/hide", headers=who.headers)
        assert response.status_code == 200, response.text
        await client.post(f"{COMMENTS}/{target.id}/unhide", headers=who.headers)
    other = await create_post(session, bob.user, title="Bob's")
    elsewhere = await create_comment(session, other, bob.user)
    refused = await client.post(f"{COMMENTS}/{elsewhere.id}/hide", headers=alice.headers)
    assert refused.status_code == 403


async def test_held_comments_wait_for_approval(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
    moderated: PostRow,
) -> None:
    held = await comment(client, bob, moderated, "please approve")
    assert held["status"] == "pending"
    assert await counted(session, moderated.id) == (0, 0)
    assert (await client.get(thread_url(moderated))).json()["items"] == []
    own = (await client.get(thread_url(moderated), headers=bob.headers)).json()
    assert [c["status"] for c in own["items"]] == ["pending"]
    assert (await client.get(f"{COMMENTS}/{held['id']}")).status_code == 404
    # Only visible comments take replies.
    await comment(client, bob, moderated, "x", parent=held["id"], expect=422)
    pending_url = f"{thread_url(moderated)}/pending"
    assert (await client.get(pending_url)).status_code == 401
    assert (await client.get(pending_url, headers=bob.headers)).status_code == 403
    for who in (alice, moderator):
        listed = (await client.get(pending_url, headers=who.headers)).json()
        assert ([c["id"] for c in listed["items"]], listed["total"]) == ([held["id"]], 1)
    approved = await client.post(f"{COMMENTS}/{held['id']}/approve", headers=alice.headers)
    assert approved.json()["status"] == "visible"
    await client.post(f"{COMMENTS}/{held['id']}/approve", headers=alice.headers)
    assert await counted(session, moderated.id) == (1, 1)
    assert (await client.get(pending_url, headers=alice.headers)).json()["total"] == 0
    assert len((await client.get(thread_url(moderated))).json()["items"]) == 1


async def test_moderators_comments_are_not_held(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, moderated: PostRow
) -> None:
    assert (await comment(client, alice, moderated))["status"] == "visible"
    assert await counted(session, moderated.id) == (1, 1)


async def test_status_changes_that_do_not_apply_conflict(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderated: PostRow,
) -> None:
    held = await comment(client, bob, moderated)
    unhide = await client.post(f"{COMMENTS}/{held['id']}/unhide", headers=alice.headers)
    assert (unhide.status_code, unhide.json()["code"]) == (409, "wrong_comment_status")
    rejected = await client.post(f"{COMMENTS}/{held['id']}/hide", headers=alice.headers)
    assert rejected.json()["status"] == "hidden"
    approve = await client.post(f"{COMMENTS}/{held['id']}/approve", headers=alice.headers)
    assert approve.status_code == 409
    assert await counted(session, moderated.id) == (0, 0)
    pending = (await client.get(f"{thread_url(moderated)}/pending", headers=alice.headers)).json()
    assert pending["items"] == []
