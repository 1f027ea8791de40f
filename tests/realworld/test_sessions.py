"""RealWorld tokens: their own lifetime, bound to a login session that every request checks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.security import SessionKind
from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.factories import DEFAULT_PASSWORD, create_user, signed_in_headers
from tests.realworld.conftest import Conduit, errors_of

SESSIONS = "/api/v1/auth/sessions"


def claims_of(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def issued_earlier(
    state: AppState, who: Conduit, kind: SessionKind, age: timedelta, token: str | None = None
) -> str:
    """The token the server would have issued `age` ago for the session of `token`."""
    session_id = str(claims_of(token or who.token)["sid"])
    return state.codec.issue(
        user_id=who.user.id,
        token_version=who.user.token_version,
        session_id=uuid.UUID(session_id),
        kind=kind,
        now=datetime.now(UTC) - age,
    )


async def test_a_realworld_token_lives_a_day(jake: Conduit) -> None:
    claims = claims_of(jake.token)
    assert claims["typ"] == "realworld"
    assert int(str(claims["exp"])) - int(str(claims["iat"])) == 24 * 3600


async def test_a_realworld_token_outlives_fifteen_minutes_but_not_its_lifetime(
    api: httpx.AsyncClient, app_state: AppState, jake: Conduit
) -> None:
    sixteen_minutes = timedelta(minutes=16)
    old = issued_earlier(app_state, jake, SessionKind.REALWORLD, sixteen_minutes)
    response = await api.get("/api/user", headers={"Authorization": f"Token {old}"})
    assert response.status_code == 200, response.text
    # An /api/v1 access token of the same age has expired.
    v1_token = (await jake.v1())["Authorization"].removeprefix("Bearer ")
    v1_old = issued_earlier(app_state, jake, SessionKind.API, sixteen_minutes, v1_token)
    refused = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {v1_old}"})
    assert refused.status_code == 401
    expired = issued_earlier(app_state, jake, SessionKind.REALWORLD, timedelta(hours=24, minutes=1))
    response = await api.get("/api/user", headers={"Authorization": f"Token {expired}"})
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is invalid"]}


async def test_realworld_tokens_are_for_the_realworld_api_only(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    """A day-long token does not open /api/v1 (its tokens live 15 minutes); an /api/v1 token
    works in /api."""
    v1 = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {jake.token}"})
    assert v1.status_code == 401
    v1_token = (await jake.v1())["Authorization"].removeprefix("Bearer ")
    own = await api.get("/api/user", headers={"Authorization": f"Token {v1_token}"})
    assert own.status_code == 200


async def test_a_realworld_session_is_listed_and_ends_at_once(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    v1 = await jake.v1()
    sessions = (await api.get(SESSIONS, headers=v1)).json()
    assert sorted(s["kind"] for s in sessions) == ["api", "realworld"]
    realworld = next(s for s in sessions if s["kind"] == "realworld")
    assert realworld["id"] == claims_of(jake.token)["sid"]
    assert (await api.get("/api/user", headers=jake.headers)).status_code == 200
    ended = await api.delete(f"{SESSIONS}/{realworld['id']}", headers=v1)
    assert ended.status_code == 204
    response = await api.get("/api/user", headers=jake.headers)
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is invalid"]}


async def _logout_all(api: httpx.AsyncClient, jake: Conduit) -> httpx.Response:
    return await api.post("/api/v1/auth/logout-all", headers=await jake.v1())


async def _change_password(api: httpx.AsyncClient, jake: Conduit) -> httpx.Response:
    return await api.post(
        "/api/v1/users/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a brand new passphrase"},
        headers=await jake.v1(),
    )


async def _delete_account(api: httpx.AsyncClient, jake: Conduit) -> httpx.Response:
    return await api.delete("/api/v1/users/me", headers=await jake.v1())


Action = Callable[[httpx.AsyncClient, Conduit], Awaitable[httpx.Response]]


@pytest.mark.parametrize("action", [_logout_all, _change_password, _delete_account])
async def test_account_actions_end_realworld_tokens_at_once(
    api: httpx.AsyncClient, jake: Conduit, action: Action
) -> None:
    assert (await api.get("/api/user", headers=jake.headers)).status_code == 200
    assert (await action(api, jake)).status_code == 204
    assert (await api.get("/api/user", headers=jake.headers)).status_code == 401


async def test_disabling_an_account_ends_its_realworld_tokens(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    admin = await create_user(session, username="boss", role=Role.ADMIN)
    disabled = await api.patch(
        f"/api/v1/admin/users/{jake.user.id}",
        json={"is_active": False},
        headers=await signed_in_headers(jake.state, admin),
    )
    assert disabled.status_code == 200
    assert (await api.get("/api/user", headers=jake.headers)).status_code == 401
