"""Fixtures of the posts tests: signed-in users and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.db import DriverSelect
from inkwell.models.user import Role, User
from tests.factories import auth_headers, create_user


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementCounter]:
    """Every SQL statement sent to the database while the test runs (savepoints excluded),
    through SQLAlchemy or by a DriverSelect."""
    counter = StatementCounter()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            counter.statements.append(statement)

    fetch = DriverSelect._fetch

    async def record_driver_select(driver: Any, sql: str, arguments: list[Any]) -> Sequence[Any]:
        counter.statements.append(sql)
        return await fetch(driver, sql, arguments)

    monkeypatch.setattr(DriverSelect, "_fetch", staticmethod(record_driver_select))
    # Every engine: the API tests' read sessions have their own (tests/conftest.py).
    event.listen(Engine, "before_cursor_execute", record)
    yield counter
    event.remove(Engine, "before_cursor_execute", record)


@dataclass
class Account:
    user: User
    headers: dict[str, str]


async def account(
    client: httpx.AsyncClient, session: AsyncSession, username: str, role: Role = Role.USER
) -> Account:
    user = await create_user(session, username=username, role=role)
    return Account(user=user, headers=await auth_headers(client, user))


@pytest.fixture
async def alice(client: httpx.AsyncClient, session: AsyncSession) -> Account:
    return await account(client, session, "alice")


@pytest.fixture
async def bob(client: httpx.AsyncClient, session: AsyncSession) -> Account:
    return await account(client, session, "bob")


@pytest.fixture
async def moderator(client: httpx.AsyncClient, session: AsyncSession) -> Account:
    return await account(client, session, "mod", Role.MODERATOR)


@pytest.fixture
async def admin(client: httpx.AsyncClient, session: AsyncSession) -> Account:
    return await account(client, session, "root", Role.ADMIN)
