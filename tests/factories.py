"""Typed helpers that make test data through the same code paths as the app."""

from __future__ import annotations

import itertools
from functools import lru_cache

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.security import argon2_hasher
from inkwell.models.user import Role, User

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    return argon2_hasher().hash(password)


async def create_user(
    session: AsyncSession,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: Role = Role.USER,
    is_active: bool = True,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(
        username=username,
        email=email or f"{username.lower()}@example.com",
        password_hash=password_hash(password),
        role=role,
        is_active=is_active,
    )
    session.add(user)
    await session.flush()
    await session.commit()
    return user


async def login(
    client: httpx.AsyncClient, login: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    """Sign in through the API; returns the token response."""
    response = await client.post("/api/v1/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def auth_headers(
    client: httpx.AsyncClient, user: User, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    tokens = await login(client, user.username, password)
    return {"Authorization": f"Bearer {tokens['access_token']}"}
