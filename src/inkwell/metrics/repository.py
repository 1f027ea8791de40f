"""The figures /metrics reads from the database: the outbox's backlog and the job queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.repository import OutboxRepository

# procrastinate's job table: the statuses worth alerting on.
_JOBS = text(
    "SELECT status::text AS status, count(*) AS jobs FROM procrastinate_jobs "
    "WHERE status IN ('todo', 'doing', 'failed') GROUP BY status"
)


class MetricsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.outbox = OutboxRepository(session)

    async def outbox_backlog(self) -> tuple[int, datetime | None]:
        """How many events the relay has not sent, and when the oldest of them was written."""
        pending = await self.outbox.pending()
        return int(pending["pending"]), pending["oldest_pending_at"]

    async def jobs_by_status(self) -> dict[str, int]:
        """Jobs waiting (todo), running (doing) and given up on (failed)."""
        rows = await self.session.execute(_JOBS)
        counts = {"todo": 0, "doing": 0, "failed": 0}
        counts.update({row.status: int(row.jobs) for row in rows})
        return counts
