"""SECURITY.md items not already proven elsewhere: 8, 14, 18, 21 and 31."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.security import PasswordHasher
from inkwell.models.user import RefreshToken, UserSession
from tests.factories import create_user, login


async def test_hashing_runs_off_the_event_loop_with_bounded_concurrency() -> None:  # 8
    hasher = PasswordHasher(concurrency=2)
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = hasher._hash.hash

    def spy(password: str) -> str:
        seen.append(threading.get_ident())
        return original(password)

    hasher._hash.hash = spy  # type: ignore[method-assign,assignment]
    await hasher.hash("a long enough passphrase")
    assert seen
    assert loop_thread not in seen
    assert hasher._limiter.total_tokens == 2


async def test_access_and_refresh_tokens_cannot_stand_in_for_each_other(  # 14
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="swap")
    tokens = await login(client, "swap")
    as_access = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    as_refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}
    )
    assert as_access.status_code == 401
    assert as_refresh.status_code in {401, 422}  # refused: too long to be a refresh token


async def test_a_session_ends_at_its_absolute_lifetime(  # 18
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="aging")
    tokens = await login(client, "aging")
    rotated = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    # Renewing does not extend the login: every token of it expires with the session.
    expiries = set((await session.execute(select(RefreshToken.expires_at))).scalars())
    assert len(expiries) == 1
    await session.execute(update(UserSession).values(expires_at=text("now() - interval '1 s'")))
    await session.execute(update(RefreshToken).values(expires_at=text("now() - interval '1 s'")))
    await session.commit()
    expired = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert expired.status_code == 401


async def test_refresh_tokens_are_stored_only_as_hashes(  # 21
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="hashed")
    tokens = await login(client, "hashed")
    rows = (await session.execute(text("SELECT * FROM refresh_tokens"))).all()
    assert rows
    assert tokens["refresh_token"] not in repr(rows)
    assert tokens["refresh_token"].encode() not in b"".join(r.token_hash for r in rows)


async def test_json_endpoints_refuse_other_content_types(client: httpx.AsyncClient) -> None:  # 31
    body = '{"login": "someone", "password": "whatever it is"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = await client.post(
            "/api/v1/auth/login", content=body, headers={"content-type": content_type}
        )
        assert response.status_code == 422, content_type
        assert response.headers["content-type"] == "application/problem+json"
