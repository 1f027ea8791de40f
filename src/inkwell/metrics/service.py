"""Who may read the metrics, and the figures that live in the database."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.errors import NotFound, Unauthorized
from inkwell.metrics.repository import MetricsRepository


@dataclass(frozen=True, slots=True)
class DatabaseFigures:
    outbox_pending: int
    outbox_oldest_age_seconds: float
    jobs: dict[str, int]


class MetricsService:
    def __init__(self, *, repository: MetricsRepository, settings: Settings) -> None:
        self.repository = repository
        self.settings = settings

    def authorize(self, token: str | None) -> None:
        """Metrics are off without INKWELL_METRICS_TOKEN (404); with it, the token is needed."""
        expected = self.settings.metrics_token
        if expected is None:
            raise NotFound
        if token is None or not hmac.compare_digest(
            token.encode(), expected.get_secret_value().encode()
        ):
            raise Unauthorized("The metrics need their bearer token.")

    async def database_figures(self) -> DatabaseFigures:
        """The outbox's backlog and the oldest unsent event's age, and jobs by status."""
        pending, oldest = await self.repository.outbox_backlog()
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        jobs = await self.repository.jobs_by_status()
        return DatabaseFigures(
            outbox_pending=pending, outbox_oldest_age_seconds=max(age, 0.0), jobs=jobs
        )
