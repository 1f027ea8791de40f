"""`Idempotency-Key` on creating writes: a retry answers the first answer and writes nothing
again; the same key on another request is refused; keys are per user and expire."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.jobs.pruning import prune_idempotency_keys
from inkwell.main import create_app
from inkwell.models import Comment, IdempotencyKey, Post, WebhookEndpoint
from tests.factories import create_user, signed_in_headers
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"
NEW_POST = {"title": "Once only", "content_raw": "Posted over a flaky network.", "tags": ["net"]}


def _keyed(account: Account, key: str) -> dict[str, str]:
    return {**account.headers, "Idempotency-Key": key}


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_retry_answers_the_first_answer_and_writes_nothing_again(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    first = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-1"))
    again = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-1"))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(session, Post, Post.author_id == alice.user.id) == 1


async def test_the_body_is_compared_by_value_not_by_its_spelling(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    compact = json.dumps(NEW_POST, separators=(",", ":"))
    reordered = json.dumps(dict(reversed(NEW_POST.items())), indent=2)
    headers = {**_keyed(alice, "k-2"), "Content-Type": "application/json"}
    first = await client.post(POSTS, content=compact, headers=headers)
    again = await client.post(POSTS, content=reordered, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(session, Post, Post.author_id == alice.user.id) == 1


async def test_the_same_key_on_another_request_is_422_and_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    first = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-3"))
    other_body = await client.post(
        POSTS, json={**NEW_POST, "title": "Another"}, headers=_keyed(alice, "k-3")
    )
    post_id = first.json()["id"]
    other_path = await client.post(
        f"{POSTS}/{post_id}/comments", json={"content": "Hi"}, headers=_keyed(alice, "k-3")
    )

    assert first.status_code == 201
    for refused in (other_body, other_path):
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "idempotency_key_reused"
    assert await _count(session, Post, Post.author_id == alice.user.id) == 1
    assert await _count(session, Comment, Comment.post_id == post_id) == 0


async def test_keys_belong_to_their_user(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    mine = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "shared"))
    theirs = await client.post(POSTS, json=NEW_POST, headers=_keyed(bob, "shared"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["author"]["username"] == "bob"
    assert await _count(session, Post, Post.author_id == bob.user.id) == 1


async def test_a_failed_request_keeps_no_answer_so_its_corrected_retry_runs(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    invalid = await client.post(POSTS, json={"title": ""}, headers=_keyed(alice, "k-4"))
    corrected = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-4"))
    assert invalid.status_code == 422
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert await _count(session, Post, Post.author_id == alice.user.id) == 1


async def test_an_expired_key_runs_its_request_again(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    first = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-5"))
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "k-5")
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    again = await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-5"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] != first.json()["id"]
    assert await _count(session, Post, Post.author_id == alice.user.id) == 2


async def test_the_key_is_kept_for_the_retention_and_pruned_after(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    await client.post(POSTS, json=NEW_POST, headers=_keyed(alice, "k-6"))
    expires_at = await session.scalar(
        select(IdempotencyKey.expires_at).where(IdempotencyKey.key == "k-6")
    )
    assert expires_at is not None
    left = expires_at - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < left <= timedelta(hours=24)

    assert await prune_idempotency_keys(session, expires_at - timedelta(seconds=1)) == 0
    assert await prune_idempotency_keys(session, expires_at + timedelta(seconds=1)) == 1
    assert await _count(session, IdempotencyKey, IdempotencyKey.key == "k-6") == 0


async def test_a_malformed_key_is_a_field_error(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    token = alice.headers["Authorization"].encode()
    for key in (b"x" * 256, b"has space", "\u00e9t\u00e9".encode()):
        headers = [(b"Authorization", token), (b"Idempotency-Key", key)]
        response = await client.post(POSTS, json=NEW_POST, headers=headers)
        assert response.status_code == 422, key
        fields = [(e["location"], e["field"]) for e in response.json()["errors"]]
        assert ("header", "Idempotency-Key") in fields, response.json()
    assert await _count(session, Post, Post.author_id == alice.user.id) == 0


async def test_comments_and_webhooks_take_keys_too(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, admin: Account
) -> None:
    created = await client.post(
        POSTS, json={**NEW_POST, "status": "published"}, headers=alice.headers
    )
    assert created.status_code == 201, created.text
    post = created.json()
    comment = {"content": "First!"}
    path = f"{POSTS}/{post['id']}/comments"
    comments = [await client.post(path, json=comment, headers=_keyed(alice, "c")) for _ in "ab"]
    hook = {"url": "https://93.184.215.14/hook", "event_types": ["inkwell.post.published.v1"]}
    hooks = [
        await client.post("/api/v1/admin/webhooks", json=hook, headers=_keyed(admin, "w"))
        for _ in "ab"
    ]

    for first, again in (comments, hooks):
        assert first.status_code == again.status_code == 201, first.text
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"
    assert await _count(session, Comment, Comment.post_id == post["id"]) == 1
    assert await _count(session, WebhookEndpoint) == 1


def test_the_api_description_shows_the_header_on_creating_writes(app_state: AppState) -> None:
    paths = create_app(app_state.settings, state=app_state).openapi()["paths"]
    keyed = [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert sorted(keyed) == [
        ("/api/v1/admin/webhooks", "post"),
        ("/api/v1/media", "post"),
        ("/api/v1/posts", "post"),
        ("/api/v1/posts/{post}/comments", "post"),
    ]


async def test_twenty_concurrent_retries_create_one_row(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    async with committing_state.sessionmaker() as session:
        user = await create_user(session, username="flaky")
    headers = {**await signed_in_headers(committing_state, user), "Idempotency-Key": "burst"}

    answers = await asyncio.gather(
        *(committing_client.post(POSTS, json=NEW_POST, headers=headers) for _ in range(20))
    )

    assert [a.status_code for a in answers] == [201] * 20, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    async with committing_state.sessionmaker() as session:
        assert await _count(session, Post, Post.author_id == user.id) == 1
        stored = await session.scalar(
            text("SELECT count(*) FROM idempotency_keys WHERE key = 'burst'")
        )
        assert stored == 1


async def test_without_a_key_every_request_writes(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    answers = [await client.post(POSTS, json=NEW_POST, headers=alice.headers) for _ in "ab"]
    assert [a.status_code for a in answers] == [201, 201]
    assert await _count(session, Post, Post.author_id == alice.user.id) == 2
    assert await _count(session, IdempotencyKey, IdempotencyKey.user_id == alice.user.id) == 0
