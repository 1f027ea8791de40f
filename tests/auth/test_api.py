"""The auth endpoints, end to end through the API against PostgreSQL."""

from __future__ import annotations

import asyncio

import bcrypt
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.ratelimit import MemoryRateLimiter
from inkwell.core.state import AppState
from inkwell.models.user import RefreshToken, Role, User
from tests.conftest import api_client, make_settings
from tests.core.test_ratelimit import Clock
from tests.factories import DEFAULT_PASSWORD, auth_headers, create_user, login

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"


def _without_request_id(response: httpx.Response) -> dict[str, object]:
    return {k: v for k, v in response.json().items() if k != "request_id"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_login_and_me(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "Alice@Example.COM",
            "username": "Alice",
            "password": DEFAULT_PASSWORD,
            "display_name": "Alice A.",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["username"] == "Alice"
    assert body["email"] == "alice@example.com"
    assert body["role"] == "author"

    response = await client.post(LOGIN, json={"login": "alice", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"

    me = await client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["display_name"] == "Alice A."


async def test_login_by_email_and_oauth2_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="bob")
    by_email = await client.post(
        LOGIN, json={"login": "BOB@example.com", "password": DEFAULT_PASSWORD}
    )
    assert by_email.status_code == 200
    form = await client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert form.status_code == 200, form.text
    assert form.headers["cache-control"] == "no-store"
    assert (await client.get(ME, headers=bearer(form.json()["access_token"]))).status_code == 200


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="carol")
    wrong = await client.post(LOGIN, json={"login": "carol", "password": "not the password"})
    unknown = await client.post(LOGIN, json={"login": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert _without_request_id(wrong) == _without_request_id(unknown)
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_password_is_checked_exactly_as_sent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="dora", password="Exact Pass 123")
    for variant in (" Exact Pass 123", "exact pass 123", "Exact Pass 12", "Exact Pass 123 "):
        response = await client.post(LOGIN, json={"login": "dora", "password": variant})
        assert response.status_code == 401, variant
    ok = await client.post(LOGIN, json={"login": "dora", "password": "Exact Pass 123"})
    assert ok.status_code == 200


async def test_disabled_user_cannot_log_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="erin", is_active=False)
    response = await client.post(LOGIN, json={"login": "erin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "account_disabled"


async def test_refresh_rotates_and_old_token_stops_working(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="fay")
    first = await login(client, "fay")
    second = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    assert second.headers["cache-control"] == "no-store"
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 200

    third = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert third.status_code == 200


async def test_refresh_token_reuse_revokes_the_family(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="gus")
    stolen = await login(client, "gus")
    rotated = (await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})).json()

    reuse = await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "invalid_refresh_token"
    # The newest token of the family is dead too, and so is its access token.
    newest = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert newest.status_code == 401
    assert (await client.get(ME, headers=bearer(rotated["access_token"]))).status_code == 401


async def test_reuse_revocation_is_kept_although_the_request_fails(
    committing_client: httpx.AsyncClient, committing_state: AppState
) -> None:
    async with committing_state.sessionmaker() as session:
        await create_user(session, username="hal")
    stolen = await login(committing_client, "hal")
    await committing_client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
    await committing_client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
    async with committing_state.sessionmaker() as session:
        live = await session.scalar(
            select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
        )
    assert live == 0


async def test_garbage_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(REFRESH, json={"refresh_token": "x" * 43})
    assert response.status_code == 401
    too_short = await client.post(REFRESH, json={"refresh_token": "abc"})
    assert too_short.status_code == 422


async def test_logout_revokes_the_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_user(session, username="ivy")
    tokens = await login(client, "ivy")
    response = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 204
    refresh = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert (await client.get(ME, headers=bearer(tokens["access_token"]))).status_code == 401
    again = await client.post("/api/v1/auth/logout", json={"refresh_token": "y" * 43})
    assert again.status_code == 204


async def test_logout_all_ends_every_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="jon")
    one, two = await login(client, "jon"), await login(client, "jon")
    response = await client.post("/api/v1/auth/logout-all", headers=bearer(one["access_token"]))
    assert response.status_code == 204
    for pair in (one, two):
        assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 401
        refresh = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401


async def test_sessions_are_listed_and_can_be_ended(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="kim")
    phone = await login(client, "kim")
    laptop = await client.post(
        LOGIN,
        json={"login": "kim", "password": DEFAULT_PASSWORD},
        headers={"User-Agent": "Laptop/1.0"},
    )
    laptop_tokens = laptop.json()
    listed = await client.get("/api/v1/auth/sessions", headers=bearer(phone["access_token"]))
    assert listed.status_code == 200
    sessions = listed.json()
    assert len(sessions) == 2
    assert sum(s["current"] for s in sessions) == 1
    other = next(s for s in sessions if s["user_agent"] == "Laptop/1.0")
    assert other["ip"] == "127.0.0.1"

    ended = await client.delete(
        f"/api/v1/auth/sessions/{other['id']}", headers=bearer(phone["access_token"])
    )
    assert ended.status_code == 204
    refresh = await client.post(REFRESH, json={"refresh_token": laptop_tokens["refresh_token"]})
    assert refresh.status_code == 401
    again = await client.delete(
        f"/api/v1/auth/sessions/{other['id']}", headers=bearer(phone["access_token"])
    )
    assert again.status_code == 404


async def test_cannot_end_someone_elses_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="lea")
    await create_user(session, username="max")
    lea, max_ = await login(client, "lea"), await login(client, "max")
    sessions = (
        await client.get("/api/v1/auth/sessions", headers=bearer(max_["access_token"]))
    ).json()
    response = await client.delete(
        f"/api/v1/auth/sessions/{sessions[0]['id']}", headers=bearer(lea["access_token"])
    )
    assert response.status_code == 404
    still = await client.post(REFRESH, json={"refresh_token": max_["refresh_token"]})
    assert still.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/users/me", "/api/v1/auth/sessions"])
async def test_protected_routes_need_a_token(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"


async def test_role_change_invalidates_access_tokens(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await create_user(session, username="root", role=Role.ADMIN)
    user = await create_user(session, username="nia")
    user_headers = await auth_headers(client, user)
    response = await client.patch(
        f"/api/v1/admin/users/{user.id}",
        json={"role": "moderator"},
        headers=await auth_headers(client, admin),
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "moderator"
    assert (await client.get(ME, headers=user_headers)).status_code == 401


async def test_rate_limit_on_login(
    settings: Settings, app_state: AppState, session: AsyncSession
) -> None:
    strict = make_settings(
        settings.database_url or "", rate_limit_login_per_ip=3, rate_limit_login_per_account=100
    )
    app_state.settings = strict
    await create_user(session, username="otto")
    async with api_client(app_state) as client:
        statuses = [
            (await client.post(LOGIN, json={"login": "otto", "password": "wrong pass"}))
            for _ in range(4)
        ]
    assert [r.status_code for r in statuses] == [401, 401, 401, 429]
    limited = statuses[-1]
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["code"] == "rate_limited"


async def test_rate_limit_per_account_across_ips(
    settings: Settings, app_state: AppState, session: AsyncSession
) -> None:
    app_state.settings = make_settings(
        settings.database_url or "", trust_forwarded_for=True, rate_limit_login_per_account=2
    )
    await create_user(session, username="pia")
    async with api_client(app_state) as client:
        codes = [
            (
                await client.post(
                    LOGIN,
                    json={"login": "pia", "password": "wrong pass"},
                    headers={"X-Forwarded-For": f"10.0.0.{i}"},
                )
            ).status_code
            for i in range(3)
        ]
    assert codes == [401, 401, 429]


async def test_rate_limit_per_account_counts_every_name_of_the_account_in_a_sliding_window(
    settings: Settings, app_state: AppState, session: AsyncSession
) -> None:
    """The attack that found it: guesses from two addresses, by username and by e-mail, on
    either side of a minute's edge (20 would pass with keys per login and fixed windows)."""
    app_state.settings = make_settings(
        settings.database_url or "", trust_forwarded_for=True, rate_limit_login_per_account=10
    )
    clock = Clock(1_799_999_999.9)
    app_state.limiter = MemoryRateLimiter(clock=clock)
    user = await create_user(session, username="rhea")

    async def guess(login: str, ip: str) -> int:
        body = {"login": login, "password": "wrong pass"}
        headers = {"X-Forwarded-For": ip}
        return (await client.post(LOGIN, json=body, headers=headers)).status_code

    async with api_client(app_state) as client:
        codes = [await guess("rhea", "10.0.0.1") for _ in range(10)]
        clock.now += 0.2
        codes += [await guess(name, "10.0.0.2") for name in [user.email, "RHEA"] * 5]
    assert codes == [401] * 10 + [429] * 10


async def test_throttled_unknown_and_known_logins_look_the_same(
    settings: Settings, app_state: AppState, session: AsyncSession
) -> None:
    app_state.settings = make_settings(settings.database_url or "", rate_limit_login_per_account=1)
    await create_user(session, username="sol")
    async with api_client(app_state) as client:
        known = [await client.post(LOGIN, json={"login": "sol", "password": "x" * 8}) for _ in "ab"]
        unknown = [
            await client.post(LOGIN, json={"login": "nobody", "password": "x" * 8}) for _ in "ab"
        ]
    assert [r.status_code for r in known + unknown] == [401, 429, 401, 429]
    assert _without_request_id(known[1]) == _without_request_id(unknown[1])
    assert known[1].headers["retry-after"] == unknown[1].headers["retry-after"] == "60"


async def test_rate_limit_on_register_and_refresh(settings: Settings, app_state: AppState) -> None:
    app_state.settings = make_settings(
        settings.database_url or "", rate_limit_register_per_ip=1, rate_limit_refresh_per_ip=1
    )
    async with api_client(app_state) as client:
        bodies = [
            {"email": f"r{i}@example.com", "username": f"reg{i}", "password": DEFAULT_PASSWORD}
            for i in range(2)
        ]
        codes = [(await client.post("/api/v1/auth/register", json=b)).status_code for b in bodies]
        refreshes = [
            (await client.post(REFRESH, json={"refresh_token": "z" * 43})).status_code
            for _ in range(2)
        ]
    assert codes == [201, 429]
    assert refreshes == [401, 429]


async def test_concurrent_registration_of_one_email_creates_one_account(
    committing_client: httpx.AsyncClient, committing_state: AppState
) -> None:
    async def register(i: int) -> int:
        response = await committing_client.post(
            "/api/v1/auth/register",
            json={
                "email": "race@example.com",
                "username": f"racer{i}",
                "password": DEFAULT_PASSWORD,
            },
        )
        return response.status_code

    codes = await asyncio.gather(*(register(i) for i in range(8)))
    assert sorted(codes) == [201] + [409] * 7
    async with committing_state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(User.email == "race@example.com")
        )
    assert count == 1


async def test_unknown_user_still_costs_a_password_check(
    client: httpx.AsyncClient, app_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str | None] = []
    verify = app_state.hasher.verify

    async def spy(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        checked.append(stored_hash)
        return await verify(password, stored_hash)

    monkeypatch.setattr(app_state.hasher, "verify", spy)
    response = await client.post(LOGIN, json={"login": "ghost", "password": "whatever it is"})
    assert response.status_code == 401
    assert checked == [None]  # the hasher ran against its dummy hash


async def test_imported_bcrypt_hash_is_upgraded_on_login(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="legacy")
    user.password_hash = bcrypt.hashpw(DEFAULT_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    await session.commit()
    await login(client, "legacy")
    await session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    await login(client, "legacy")
