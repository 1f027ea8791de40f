"""Account changes through /api/v1 leave their events: registered, updated, deleted."""

from __future__ import annotations

from collections import Counter

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.events.catalogue import (
    PostCreated,
    PostPublished,
    UserDeleted,
    UserRegistered,
    UserUpdated,
)
from inkwell.models.user import Role, User
from inkwell.posts.seed import AUTHORS, seed_demo
from inkwell.users.admin import make_admin
from tests.events.support import last_position, outbox, the_event, types_since
from tests.factories import DEFAULT_PASSWORD, FastHasher
from tests.posts.conftest import Account, account


async def test_registering_records_user_registered_without_the_email(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "new@example.com", "username": "newbie", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 201, response.text
    data = await the_event(session, UserRegistered, 0, response.json()["id"])
    assert data.model_dump(mode="json") == {
        "user_id": response.json()["id"],
        "username": "newbie",
        "display_name": None,
        "role": "author",
    }


async def test_profile_and_password_changes_record_user_updated(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    start = await last_position(session)
    changed = await client.patch(
        "/api/v1/users/me",
        json={"display_name": "Alice A.", "bio": None, "email": "other@example.com"},
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    data = await the_event(session, UserUpdated, start, alice.user.id)
    assert isinstance(data, UserUpdated)
    assert sorted(data.changed) == ["display_name"]  # the address waits for its link
    assert data.display_name == "Alice A."

    start = await last_position(session)
    password = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "another long passphrase"},
        headers=alice.headers,
    )
    assert password.status_code == 204, password.text
    data = await the_event(session, UserUpdated, start, alice.user.id)
    assert isinstance(data, UserUpdated)
    assert data.changed == ["password"]


async def test_an_update_that_changes_nothing_records_nothing(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    start = await last_position(session)
    same = await client.patch("/api/v1/users/me", json={"username": "alice"}, headers=alice.headers)
    assert same.status_code == 200, same.text
    assert await types_since(session, start) == []


async def test_admin_changes_record_user_updated(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession, alice: Account
) -> None:
    admin = await account(app_state, session, "root", Role.ADMIN)
    start = await last_position(session)
    response = await client.patch(
        f"/api/v1/admin/users/{alice.user.id}",
        json={"role": "moderator", "is_active": False},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    data = await the_event(session, UserUpdated, start, alice.user.id)
    assert isinstance(data, UserUpdated)
    assert (sorted(data.changed), data.role, data.active) == (
        ["is_active", "role"],
        "moderator",
        False,
    )


async def test_closing_an_account_records_user_deleted(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    start = await last_position(session)
    response = await client.delete("/api/v1/users/me", headers=alice.headers)
    assert response.status_code == 204, response.text
    data = await the_event(session, UserDeleted, start, alice.user.id)
    assert data.model_dump(mode="json") == {"user_id": str(alice.user.id), "username": "alice"}


async def test_the_admin_command_records_registered_then_updated(
    session: AsyncSession, settings: Settings
) -> None:
    args = {"email": "root@example.com", "username": "root", "password": "a long passphrase"}
    await make_admin(session, settings, **args)
    (row,) = await outbox(session)
    data = await the_event(session, UserRegistered, 0, row.key)
    assert (data.username, data.role) == ("root", "admin")
    await session.execute(update(User).where(User.username == "root").values(role=Role.AUTHOR))
    start = await last_position(session)
    await make_admin(session, settings, **args)
    promoted = await the_event(session, UserUpdated, start, row.key)
    assert promoted.changed == ["role"]


async def test_the_demo_seed_records_its_accounts_and_posts(
    session: AsyncSession, settings: Settings
) -> None:
    assert await seed_demo(session, FastHasher(), settings, posts=6) == 6  # type: ignore[arg-type]
    types = Counter(await types_since(session, 0))
    assert types[UserRegistered.event_type()] == len(AUTHORS)
    assert types[PostCreated.event_type()] == 6
    assert types[PostPublished.event_type()] == 6  # none of the first six is a draft
