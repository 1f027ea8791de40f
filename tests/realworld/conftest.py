"""Fixtures of the RealWorld tests: a client whose every /api response is checked against the
contract, and users signed in the RealWorld way (`Authorization: Token <jwt>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.user import Role, User
from tests.factories import DEFAULT_PASSWORD, create_user, realworld_token, signed_in_headers
from tests.posts.conftest import sql_statements  # noqa: F401 (a fixture of these tests too)
from tests.realworld.contract import Contract, ContractMissing, load_contract

# ISO-8601 in UTC with milliseconds and a Z, as every RealWorld timestamp must be.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture(scope="session")
def contract() -> Contract:
    try:
        return load_contract()
    except ContractMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture
async def api(client: httpx.AsyncClient, contract: Contract) -> httpx.AsyncClient:
    """The test client; every RealWorld response it receives must satisfy the contract."""

    async def check(response: httpx.Response) -> None:
        await response.aread()
        contract.check(response)

    client.event_hooks["response"] = [*client.event_hooks["response"], check]
    return client


@dataclass
class Conduit:
    """A user signed in the RealWorld way (`Authorization: Token <jwt>`)."""

    user: User
    token: str
    state: AppState

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    async def v1(self) -> dict[str, str]:
        """Headers for /api/v1, which takes its own access tokens (not RealWorld ones)."""
        return await signed_in_headers(self.state, self.user)


async def sign_in(
    api: httpx.AsyncClient, who: Conduit, password: str = DEFAULT_PASSWORD
) -> Conduit:
    """`who` signed in once more, through POST /api/users/login."""
    response = await api.post(
        "/api/users/login", json={"user": {"email": who.user.email, "password": password}}
    )
    assert response.status_code == 200, response.text
    return replace(who, token=response.json()["user"]["token"])


async def conduit_user(
    state: AppState, session: AsyncSession, username: str, role: Role = Role.AUTHOR
) -> Conduit:
    """A RealWorld user, signed in as POST /api/users/login would (tests/realworld/test_users.py
    signs in through the login itself)."""
    user = await create_user(session, username=username, role=role)
    return Conduit(user=user, token=await realworld_token(state, user), state=state)


@pytest.fixture
async def jake(app_state: AppState, session: AsyncSession) -> Conduit:
    return await conduit_user(app_state, session, "jake")


@pytest.fixture
async def jane(app_state: AppState, session: AsyncSession) -> Conduit:
    return await conduit_user(app_state, session, "jane")


def errors_of(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    errors: dict[str, Any] = body["errors"]
    return errors


async def new_article(
    api: httpx.AsyncClient, who: Conduit, title: str = "How to train your dragon", **fields: Any
) -> dict[str, Any]:
    """An article written through POST /api/articles."""
    payload = {"title": title, "description": "Ever wonder how?", "body": "You *believe*."}
    response = await api.post(
        "/api/articles", json={"article": {**payload, **fields}}, headers=who.headers
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()["article"]
    return found
