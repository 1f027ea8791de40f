"""Accounts of every role, signed in, and a helper to write posts through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.posts.conftest import Account, account, sql_statements

__all__ = ["sql_statements"]

POSTS = "/api/v1/posts"


@pytest.fixture
async def roles(app_state: AppState, session: AsyncSession) -> dict[Role, Account]:
    """One account per role, named after it (`contributor`, `author`, ...)."""
    return {role: await account(app_state, session, role.value, role) for role in Role}


async def write(client: httpx.AsyncClient, who: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Under review", "content_raw": "Some *words*.", **fields}
    response = await client.post(POSTS, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()
    return post


async def act(
    client: httpx.AsyncClient, who: Account, post: dict[str, Any], action: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"{POSTS}/{post['id']}/{action}", json=body or None, headers=who.headers
    )
