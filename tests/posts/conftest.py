"""Fixtures of the posts tests: signed-in users and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.db import DriverSelect
from inkwell.core.state import AppState
from inkwell.models.user import Role, User
from tests.factories import create_user, signed_in_headers


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
    state: AppState, session: AsyncSession, username: str, role: Role = Role.AUTHOR
) -> Account:
    """A user signed in to /api/v1 (tests/auth signs in through the login itself)."""
    user = await create_user(session, username=username, role=role)
    return Account(user=user, headers=await signed_in_headers(state, user))


@pytest.fixture
async def alice(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "alice")


@pytest.fixture
async def bob(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "bob")


@pytest.fixture
async def moderator(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "mod", Role.MODERATOR)


@pytest.fixture
async def editor(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "editor", Role.EDITOR)


@pytest.fixture
async def admin(app_state: AppState, session: AsyncSession) -> Account:
    return await account(app_state, session, "root", Role.ADMIN)
