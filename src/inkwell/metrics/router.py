"""GET /metrics in the Prometheus text format, behind INKWELL_METRICS_TOKEN."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from fastapi.security.utils import get_authorization_scheme_param
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import StateDep
from inkwell.metrics.dependencies import MetricsServiceDep
from inkwell.metrics.instruments import process_registry
from inkwell.metrics.pool import sample
from inkwell.metrics.service import DatabaseFigures

router = APIRouter(tags=["operations"], route_class=SessionRoute)


class FiguresCollector(Collector):
    """The database's figures as gauges of this scrape (no process keeps them)."""

    def __init__(self, figures: DatabaseFigures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = self.figures
        yield GaugeMetricFamily(
            "inkwell_outbox_pending_events",
            "Events written to the outbox and not yet relayed to Kafka",
            value=figures.outbox_pending,
        )
        yield GaugeMetricFamily(
            "inkwell_outbox_oldest_pending_age_seconds",
            "Age of the oldest event the relay has not sent (0: none waiting)",
            value=figures.outbox_oldest_age_seconds,
        )
        jobs = GaugeMetricFamily(
            "inkwell_jobs", "Background jobs by status (todo, doing, failed)", labels=["status"]
        )
        for status, count in sorted(figures.jobs.items()):
            jobs.add_metric([status], count)
        yield jobs


def _bearer(request: Request) -> str | None:
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return token if scheme.lower() == "bearer" and token else None


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, service: MetricsServiceDep, state: StateDep) -> Response:
    """Every process's request counts and latencies, the pools, the outbox and the jobs."""
    service.authorize(_bearer(request))
    sample(state.engine)
    figures = CollectorRegistry()
    figures.register(FiguresCollector(await service.database_figures()))
    # The 0.0.4 text format: every Prometheus version reads it.
    body = generate_latest(process_registry()) + generate_latest(figures)
    return Response(
        body, media_type=CONTENT_TYPE_PLAIN_0_0_4, headers={"Cache-Control": "no-store"}
    )
