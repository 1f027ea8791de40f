"""Fixtures of the API-key tests: signed-in accounts (media stored in the test's own folder)
and a helper that makes a key through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.conftest import api_client
from tests.posts.conftest import Account, account, sql_statements

__all__ = ["sql_statements"]  # the statement counter of the posts tests

KEYS = "/api/v1/users/me/api-keys"


@pytest.fixture
def key_state(app_state: AppState, tmp_path: Path) -> AppState:
    app_state.settings = app_state.settings.model_copy(update={"media_dir": tmp_path / "media"})
    return app_state


@pytest.fixture
async def client(key_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(key_state) as client:
        yield client


@pytest.fixture
async def alice(key_state: AppState, session: AsyncSession) -> Account:
    return await account(key_state, session, "alice")


@pytest.fixture
async def bob(key_state: AppState, session: AsyncSession) -> Account:
    return await account(key_state, session, "bob")


@pytest.fixture
async def admin(key_state: AppState, session: AsyncSession) -> Account:
    return await account(key_state, session, "root", Role.ADMIN)


async def make_key(
    client: httpx.AsyncClient, owner: Account, scopes: list[str], **fields: object
) -> dict[str, str]:
    """Headers sending a new key of `owner` with `scopes` (through the API)."""
    body = {"name": "a script", "scopes": scopes, **fields}
    response = await client.post(KEYS, json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['key']}"}
