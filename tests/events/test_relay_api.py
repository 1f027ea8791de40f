"""What the API records reaches the broker: every event type, on its topic, with its key."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from inkwell.core.state import AppState
from inkwell.events.catalogue import CATALOGUE
from inkwell.events.envelope import CloudEvent
from inkwell.media.processing import delete_files
from inkwell.models.user import Role, User
from tests.events.relaying import committed, drain, new_relay, received
from tests.events.test_transactions import NEW_POST, refuse_after_recording
from tests.factories import DEFAULT_PASSWORD, login
from tests.mail.support import link_token
from tests.media.support import photo, processed, uploaded

API = "/api/v1"


async def _register(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    body = {"email": f"{name}@example.com", "username": name, "password": DEFAULT_PASSWORD}
    response = await client.post(f"{API}/auth/register", json=body)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {(await login(client, name))['access_token']}"}


async def _call(
    client: httpx.AsyncClient, method: str, path: str, who: dict[str, str], body: Any = None
) -> Any:
    response = await client.request(method, f"{API}{path}", json=body, headers=who)
    assert response.status_code in {200, 201, 204}, response.text
    return response.json() if response.content else None


async def _every_kind_of_change(client: httpx.AsyncClient, state: AppState) -> None:
    """A scenario in which every event type of the catalogue is recorded at least once."""
    alice, bob = await _register(client, "alice"), await _register(client, "bob")
    async with state.sessionmaker() as session:
        token = await link_token(session, "alice@example.com")
    await _call(client, "POST", "/auth/verify-email", {}, {"token": token})
    post = await _call(
        client,
        "POST",
        "/posts",
        alice,
        {**NEW_POST, "status": "published", "moderate_comments": True},
    )
    posts, comment = f"/posts/{post['id']}", None
    comment = (await _call(client, "POST", f"{posts}/comments", bob, {"content": "Hi"}))["id"]
    for method, action, who, body in (
        ("POST", "/approve", alice, None),
        ("PATCH", "", bob, {"content": "Hi again"}),
        ("POST", "/hide", alice, None),
        ("POST", "/unhide", alice, None),
        ("DELETE", "", bob, None),
    ):
        await _call(client, method, f"/comments/{comment}{action}", who, body)
    for method, path in (("PUT", "/like"), ("DELETE", "/like"), ("PUT", "/bookmark")):
        await _call(client, method, f"{posts}{path}", bob)
    await _call(client, "DELETE", f"{posts}/bookmark", bob)
    await _call(client, "PUT", "/users/alice/follow", bob)
    await _call(client, "DELETE", "/users/alice/follow", bob)
    await _call(client, "PATCH", posts, alice, {"title": "Renamed"})
    await _call(client, "POST", f"{posts}/versions/1/restore", alice)
    await _call(client, "POST", f"{posts}/unpublish", alice)
    await _review_flow(client, state, alice, posts)
    await _call(client, "PATCH", posts, alice, {"status": "archived"})
    await _call(client, "DELETE", posts, alice)
    await _call(client, "PATCH", "/users/me", alice, {"display_name": "Alice"})
    await _media_uploaded_processed_and_deleted(client, state, alice)
    await _call(client, "DELETE", "/users/me", bob)


async def _review_flow(
    client: httpx.AsyncClient, state: AppState, author: dict[str, str], posts: str
) -> None:
    """A draft submitted, withdrawn, sent back by an editor, approved, featured and taken off
    the featured list."""
    editor = await _register(client, "carol")
    async with state.sessionmaker() as session:
        await session.execute(update(User).where(User.username == "carol").values(role=Role.EDITOR))
        await session.commit()
    await _call(client, "POST", f"{posts}/submit", author)
    await _call(client, "POST", f"{posts}/withdraw", author)
    await _call(client, "POST", f"{posts}/submit", author)
    await _call(client, "POST", f"{posts}/request-changes", editor, {"note": "Shorter."})
    await _call(client, "POST", f"{posts}/submit", author)
    await _call(client, "POST", f"{posts}/approve", editor)
    await _call(client, "PUT", f"{posts}/featured", editor)
    await _call(client, "DELETE", f"{posts}/featured", editor)


async def _media_uploaded_processed_and_deleted(
    client: httpx.AsyncClient, state: AppState, who: dict[str, str]
) -> None:
    media_id = await uploaded(client, who, photo("JPEG"))
    await processed(state, media_id)
    ready = await _call(client, "GET", f"/media/{media_id}", who)
    await _call(client, "DELETE", f"/media/{media_id}", who)
    await delete_files(state.settings, [ready["original"]["url"].rpartition("/")[2]])


async def test_every_event_type_reaches_its_topic_with_its_key_and_envelope(
    relay_state: AppState, relay_client: httpx.AsyncClient
) -> None:
    await _every_kind_of_change(relay_client, relay_state)
    await drain(new_relay(relay_state.settings, relay_state.engine))
    rows = await committed(relay_state)
    assert {row.type for row in rows} == set(CATALOGUE)
    assert all(row.published_at for row in rows)

    messages = await received(relay_state.settings, len(rows))
    by_id = {message.event["id"]: message for message in messages}
    assert len(messages) == len(by_id) == len(rows)
    for row in rows:
        message = by_id[str(row.event_id)]
        assert (message.topic, message.key) == (row.topic, row.key)
        assert message.event == json.loads(json.dumps(row.payload))
        assert message.headers == {"content-type": b"application/cloudevents+json"}
        event = CloudEvent.model_validate(message.event)
        kind = CATALOGUE[event.type]
        assert message.topic == f"{relay_state.settings.event_topic_prefix}.{kind.topic}"
        assert message.key == event.subject == kind.model_validate(event.data).key


async def test_a_rolled_back_request_produces_nothing(
    relay_state: AppState, relay_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await _register(relay_client, "alice")
    with monkeypatch.context() as patched:
        refuse_after_recording(patched)
        refused = await relay_client.post(f"{API}/posts", json=NEW_POST, headers=alice)
        assert refused.status_code == 409, refused.text
    await _call(relay_client, "POST", "/posts", alice, {**NEW_POST, "title": "Kept"})
    await drain(new_relay(relay_state.settings, relay_state.engine))

    messages = await received(relay_state.settings, 3, wait=2)
    assert [m.event["type"] for m in messages if m.topic.endswith(".posts")] == [
        "inkwell.post.created.v1"
    ]
    assert [m.event["data"]["title"] for m in messages if m.topic.endswith(".posts")] == ["Kept"]
    assert len(messages) == 2  # alice's registration, and the kept post
