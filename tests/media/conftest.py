"""Fixtures of the media tests: app state storing media in a directory of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.conftest import api_client
from tests.posts.conftest import Account, account


@pytest.fixture
def media_state(app_state: AppState, tmp_path: Path) -> AppState:
    app_state.settings = app_state.settings.model_copy(update={"media_dir": tmp_path / "media"})
    return app_state


@pytest.fixture
async def media_client(media_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(media_state) as client:
        yield client


@pytest.fixture
async def alice(media_state: AppState, session: AsyncSession) -> Account:
    return await account(media_state, session, "alice")


@pytest.fixture
async def bob(media_state: AppState, session: AsyncSession) -> Account:
    return await account(media_state, session, "bob")


@pytest.fixture
async def admin(media_state: AppState, session: AsyncSession) -> Account:
    return await account(media_state, session, "root", Role.ADMIN)
