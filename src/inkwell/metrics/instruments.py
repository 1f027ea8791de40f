"""The process's own metrics, kept by prometheus-client.

With PROMETHEUS_MULTIPROC_DIR set (`inkwell serve` sets it for several workers) each process
writes its values to files there, and /metrics adds every process's files up; it must be set
before prometheus_client is first imported, which a worker process does when it loads the app.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from inkwell.metrics.multiproc import MULTIPROC_ENV

# Reads take 1-10 ms here, searches up to ~40 ms; the long tail is cut at 10 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

REQUESTS = Counter(
    "inkwell_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "inkwell_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and method",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
POOL_IN_USE = Gauge(
    "inkwell_db_pool_connections_in_use",
    "Database connections checked out of the pools (all live processes)",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "inkwell_db_pool_waiting",
    "Requests waiting for a connection from a full pool (all live processes)",
    multiprocess_mode="livesum",
)

LIVE_CONNECTIONS = Gauge(
    "inkwell_live_connections",
    "Open live connections by transport, websocket or sse (all live processes)",
    ["transport"],
    multiprocess_mode="livesum",
)
LIVE_TRANSPORTS = ("websocket", "sse")


def count_live_connections(transport: str, count: int) -> None:
    """This process's open live connections of a transport (the hub calls it on each change)."""
    LIVE_CONNECTIONS.labels(transport).set(count)


def process_registry() -> CollectorRegistry:
    """What /metrics reports of the processes: every live worker's in multiprocess mode."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry
