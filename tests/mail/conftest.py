"""Fixtures of the mail tests: a real SMTP server, and app state that sends to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.state import AppState
from tests.mail.support import Inbox, smtp_server

_QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free port, collecting what it receives."""
    with smtp_server() as received:
        yield received


@pytest.fixture
async def mailing(
    committing_state: AppState, engine: AsyncEngine, inbox: Inbox
) -> AsyncIterator[AppState]:
    """Committing app state whose mail goes to `inbox` (plain SMTP, as a local relay takes
    it); the job queue is emptied afterwards."""
    committing_state.settings = committing_state.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_tls": "none"}
    )
    yield committing_state
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {_QUEUE_TABLES} CASCADE"))
