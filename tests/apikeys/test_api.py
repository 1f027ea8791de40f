"""Creating, listing and revoking API keys: the secret shown once and stored hashed, the
limit per user, the expiry, and a key that cannot manage keys."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.api_key import ApiKey
from tests.apikeys.conftest import KEYS, make_key
from tests.posts.conftest import Account


async def test_the_key_is_shown_once_and_stored_only_as_its_hash(
    client: httpx.AsyncClient, alice: Account, session: AsyncSession
) -> None:
    body = {"name": "deploy", "scopes": ["posts:write", "posts:read", "posts:write"]}
    created = await client.post(KEYS, json=body, headers=alice.headers)
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    made = created.json()
    secret = made["key"]
    assert secret.startswith("ink_")
    assert len(secret) == 47
    assert made["prefix"] == secret[:12]
    assert made["scopes"] == ["posts:read", "posts:write"]
    assert made["name"] == "deploy"
    assert made["last_used_at"] is None
    row = await session.scalar(select(ApiKey).where(ApiKey.id == uuid.UUID(made["id"])))
    assert row is not None
    assert row.secret_hash == hashlib.sha256(secret.encode()).digest()
    assert secret not in repr(row.__dict__)

    listed = await client.get(KEYS, headers=alice.headers)
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["id"] == made["id"]
    assert item["prefix"] == secret[:12]
    assert "key" not in item
    assert secret not in listed.text


async def test_the_list_shows_last_use_time_and_address(
    client: httpx.AsyncClient, alice: Account
) -> None:
    key = await make_key(client, alice, ["profile:read"])
    assert (await client.get("/api/v1/users/me", headers=key)).status_code == 200
    [item] = (await client.get(KEYS, headers=alice.headers)).json()
    assert item["last_used_ip"] == "127.0.0.1"
    used = datetime.fromisoformat(item["last_used_at"])
    assert abs(datetime.now(UTC) - used) < timedelta(minutes=1)


async def test_a_revoked_key_stops_working_and_leaves_the_list(
    client: httpx.AsyncClient, alice: Account
) -> None:
    key = await make_key(client, alice, ["profile:read"])
    [item] = (await client.get(KEYS, headers=alice.headers)).json()
    assert (await client.get("/api/v1/users/me", headers=key)).status_code == 200
    revoked = await client.delete(f"{KEYS}/{item['id']}", headers=alice.headers)
    assert revoked.status_code == 204
    refused = await client.get("/api/v1/users/me", headers=key)
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
    assert (await client.get(KEYS, headers=alice.headers)).json() == []
    again = await client.delete(f"{KEYS}/{item['id']}", headers=alice.headers)
    assert again.status_code == 404
    assert again.json()["code"] == "api_key_not_found"


async def test_another_users_key_is_not_found_and_keeps_working(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    key = await make_key(client, alice, ["profile:read"])
    [item] = (await client.get(KEYS, headers=alice.headers)).json()
    response = await client.delete(f"{KEYS}/{item['id']}", headers=bob.headers)
    assert response.status_code == 404
    assert (await client.get(KEYS, headers=bob.headers)).json() == []
    assert (await client.get("/api/v1/users/me", headers=key)).status_code == 200


async def test_live_keys_per_user_are_limited(
    key_state: AppState, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    key_state.settings = key_state.settings.model_copy(update={"api_keys_max_per_user": 2})
    await make_key(client, alice, ["posts:read"])
    await make_key(client, alice, ["posts:read"])
    body = {"name": "third", "scopes": ["posts:read"]}
    refused = await client.post(KEYS, json=body, headers=alice.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_api_keys"
    await make_key(client, bob, ["posts:read"])  # per user
    first = (await client.get(KEYS, headers=alice.headers)).json()[0]
    await client.delete(f"{KEYS}/{first['id']}", headers=alice.headers)
    assert (await client.post(KEYS, json=body, headers=alice.headers)).status_code == 201


async def test_an_expiry_must_be_in_the_future_and_ends_the_key(
    client: httpx.AsyncClient, alice: Account, session: AsyncSession
) -> None:
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    body = {"name": "old", "scopes": ["profile:read"], "expires_at": past}
    refused = await client.post(KEYS, json=body, headers=alice.headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "expiry_in_past"

    soon = datetime.now(UTC) + timedelta(hours=1)
    key = await make_key(client, alice, ["profile:read"], expires_at=soon.isoformat())
    assert (await client.get("/api/v1/users/me", headers=key)).status_code == 200
    [item] = (await client.get(KEYS, headers=alice.headers)).json()
    assert datetime.fromisoformat(item["expires_at"]) == soon
    row = await session.get(ApiKey, uuid.UUID(item["id"]))
    assert row is not None
    # The check compares with the database's now(), the start of the transaction. Every
    # request here runs inside the test's one transaction, so that is when the test began,
    # which on a busy machine is more than a second ago.
    began = await session.scalar(select(func.now()))
    assert began is not None
    row.expires_at = began - timedelta(seconds=1)
    await session.commit()
    expired = await client.get("/api/v1/users/me", headers=key)
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_token"
    assert (await client.get(KEYS, headers=alice.headers)).json() == []


async def test_unknown_scopes_and_empty_lists_are_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    for scopes in ([], ["posts:delete"], ["ADMIN"]):
        body = {"name": "x", "scopes": scopes}
        response = await client.post(KEYS, json=body, headers=alice.headers)
        assert response.status_code == 422, scopes
    nameless = await client.post(
        KEYS, json={"name": "", "scopes": ["admin"]}, headers=alice.headers
    )
    assert nameless.status_code == 422


async def test_keys_need_a_sign_in(client: httpx.AsyncClient, alice: Account) -> None:
    """A key cannot make, list or revoke keys, even one with every scope."""
    every = [
        "posts:read",
        "posts:write",
        "comments:write",
        "media:read",
        "media:write",
        "profile:read",
        "profile:write",
        "admin",
    ]
    key = await make_key(client, alice, every)
    [item] = (await client.get(KEYS, headers=alice.headers)).json()
    attempts = [
        client.post(KEYS, json={"name": "more", "scopes": ["admin"]}, headers=key),
        client.get(KEYS, headers=key),
        client.delete(f"{KEYS}/{item['id']}", headers=key),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_scope"
    assert len((await client.get(KEYS, headers=alice.headers)).json()) == 1
    for anonymous in (client.get(KEYS), client.post(KEYS, json={"name": "x", "scopes": []})):
        assert (await anonymous).status_code == 401
