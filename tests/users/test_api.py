"""Account endpoints: registration rules, profiles, password change, deletion, admin."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.conftest import api_client, make_settings
from tests.factories import DEFAULT_PASSWORD, create_user, login, signed_in_headers

REGISTER = "/api/v1/auth/register"
ME = "/api/v1/users/me"


def account(**overrides: object) -> dict[str, object]:
    return {
        "email": "new@example.com",
        "username": "newbie",
        "password": DEFAULT_PASSWORD,
        **overrides,
    }


def field_errors(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "a" * 31}, "username"),
        ({"username": "bad name"}, "username"),
        ({"username": "émile"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "x" * 7}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"role": "admin"}, "role"),
        ({"is_active": False}, "is_active"),
    ],
)
async def test_register_validation(
    client: httpx.AsyncClient, overrides: dict[str, object], field: str
) -> None:
    response = await client.post(REGISTER, json=account(**overrides))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in field_errors(response)


async def test_long_passwords_are_accepted(client: httpx.AsyncClient) -> None:
    long_password = "Ω-unicode and spaces " * 6  # 126 characters, well over 72 bytes
    response = await client.post(REGISTER, json=account(password=long_password))
    assert response.status_code == 201, response.text
    ok = await client.post(
        "/api/v1/auth/login", json={"login": "newbie", "password": long_password}
    )
    assert ok.status_code == 200
    truncated = await client.post(
        "/api/v1/auth/login", json={"login": "newbie", "password": long_password[:72]}
    )
    assert truncated.status_code == 401


async def test_sixty_four_character_password(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json=account(password="p" * 63 + "!"))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload",
    [
        account(password="password123"),
        account(password="qwertyuiop"),
        account(username="newbie123", password="NEWBIE123"),
        account(password="new@example.com"),
        account(email="mailbox1@example.com", password="Mailbox1"),
    ],
)
async def test_weak_passwords_are_refused(
    client: httpx.AsyncClient, payload: dict[str, object]
) -> None:
    response = await client.post(REGISTER, json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "weak_password"


async def test_common_passwords_may_be_allowed_by_a_setting(
    settings: Settings, app_state: AppState
) -> None:
    app_state.settings = make_settings(settings.database_url or "", password_reject_common=False)
    async with api_client(app_state) as client:
        common = await client.post(REGISTER, json=account(password="password123"))
        own_name = await client.post(
            REGISTER,
            json=account(username="newbie123", email="b@example.com", password="newbie123"),
        )
        short = await client.post(REGISTER, json=account(username="other", password="x" * 7))
    assert common.status_code == 201, common.text
    assert own_name.status_code == 422
    assert own_name.json()["code"] == "weak_password"
    assert short.status_code == 422


async def test_duplicate_email_and_username_are_409(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="Taken", email="taken@example.com")
    both = await client.post(REGISTER, json=account(email="TAKEN@example.com", username="taken"))
    assert both.status_code == 409
    assert field_errors(both) == {"email", "username"}
    name_only = await client.post(REGISTER, json=account(username="TAKEN"))
    assert field_errors(name_only) == {"username"}


async def test_update_profile_changes_only_fields_sent(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    user = await create_user(session, username="quinn")
    headers = await signed_in_headers(app_state, user)
    first = await client.patch(
        ME,
        json={"bio": "Writes about tea.", "avatar_url": "https://img.example.com/q.png"},
        headers=headers,
    )
    assert first.status_code == 200, first.text
    second = await client.patch(ME, json={"display_name": "Quinn"}, headers=headers)
    body = second.json()
    assert body["bio"] == "Writes about tea."
    assert body["avatar_url"] == "https://img.example.com/q.png"
    assert body["display_name"] == "Quinn"


async def test_an_empty_bio_or_avatar_is_none(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    user = await create_user(session, username="ravi")
    headers = await signed_in_headers(app_state, user)
    filled = {"bio": "Writes about tea.", "avatar_url": "https://img.example.com/r.png"}
    await client.patch(ME, json=filled, headers=headers)
    cleared = await client.patch(ME, json={"bio": "", "avatar_url": ""}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["bio"], cleared.json()["avatar_url"]) == (None, None)
    assert (await client.get(ME, headers=headers)).json()["bio"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"username": None},
        {"email": None},
        {"role": "admin"},
        {"avatar_url": "javascript:alert(1)"},
        {"bio": "b" * 2001},
    ],
)
async def test_update_profile_refuses_bad_fields(
    client: httpx.AsyncClient,
    app_state: AppState,
    session: AsyncSession,
    payload: dict[str, object],
) -> None:
    user = await create_user(session, username="rosa")
    response = await client.patch(
        ME, json=payload, headers=await signed_in_headers(app_state, user)
    )
    assert response.status_code == 422, response.text


async def test_update_profile_conflicts(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    await create_user(session, username="sam")
    user = await create_user(session, username="tess")
    response = await client.patch(
        ME,
        json={"username": "SAM", "email": "tess2@example.com"},
        headers=await signed_in_headers(app_state, user),
    )
    assert response.status_code == 409
    assert field_errors(response) == {"username"}
    renamed = await client.patch(
        ME, json={"username": "Tess_2"}, headers=await signed_in_headers(app_state, user)
    )
    assert renamed.json()["username"] == "Tess_2"


async def test_change_password_ends_other_sessions(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="uma")
    here, elsewhere = await login(client, "uma"), await login(client, "uma")
    headers = {"Authorization": f"Bearer {here['access_token']}"}
    wrong = await client.post(
        f"{ME}/password",
        headers=headers,
        json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "wrong_password"
    weak = await client.post(
        f"{ME}/password",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "password123"},
    )
    assert weak.status_code == 422

    done = await client.post(
        f"{ME}/password",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert done.status_code == 204
    assert (await client.get(ME, headers=headers)).status_code == 200
    other = {"Authorization": f"Bearer {elsewhere['access_token']}"}
    assert (await client.get(ME, headers=other)).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}
    )
    assert refresh.status_code == 401
    await login(client, "uma", "a brand new passphrase")


async def test_delete_me_deactivates_the_account(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="vic")
    tokens = await login(client, "vic")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.delete(ME, headers=headers)).status_code == 204
    assert (await client.get(ME, headers=headers)).status_code == 401
    relogin = await client.post(
        "/api/v1/auth/login", json={"login": "vic", "password": DEFAULT_PASSWORD}
    )
    assert relogin.status_code == 401
    assert (await client.get(f"/api/v1/users/{user.username}")).status_code == 404
    # The name stays reserved so nobody can impersonate the closed account.
    again = await client.post(REGISTER, json=account(username="vic"))
    assert again.status_code == 409


async def test_public_profile_hides_private_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="Wendy")
    response = await client.get("/api/v1/users/wendy")
    assert response.status_code == 200
    assert set(response.json()) == {
        "username",
        "display_name",
        "bio",
        "avatar_url",
        "created_at",
        "followers_count",
        "following_count",
        "followed_by_me",
    }
    assert response.json()["created_at"].endswith("Z")
    assert (await client.get("/api/v1/users/nobody-here")).status_code == 404


async def test_admin_routes_refuse_ordinary_users(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    user = await create_user(session, username="xena")
    target = await create_user(session, username="yuri")
    response = await client.patch(
        f"/api/v1/admin/users/{target.id}",
        json={"role": "admin"},
        headers=await signed_in_headers(app_state, user),
    )
    assert response.status_code == 403
    anonymous = await client.patch(f"/api/v1/admin/users/{target.id}", json={"role": "admin"})
    assert anonymous.status_code == 401
    me = await client.get(f"/api/v1/users/{target.username}")
    assert me.status_code == 200


async def test_admin_disables_a_user(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    admin = await create_user(session, username="zed", role=Role.ADMIN)
    target = await create_user(session, username="amy")
    tokens = await login(client, "amy")
    headers = await signed_in_headers(app_state, admin)
    response = await client.patch(
        f"/api/v1/admin/users/{target.id}", json={"is_active": False}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    target_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get(ME, headers=target_headers)).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401
    self_change = await client.patch(
        f"/api/v1/admin/users/{admin.id}", json={"role": "author"}, headers=headers
    )
    assert self_change.status_code == 409
    missing = await client.patch(
        f"/api/v1/admin/users/{'0' * 8}-0000-0000-0000-{'0' * 12}",
        json={"role": "author"},
        headers=headers,
    )
    assert missing.status_code == 404
