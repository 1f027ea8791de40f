"""Counts and times every HTTP request by its route template (never the raw path)."""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkwell.metrics.instruments import LATENCY, REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # 404s and the like: one series, whatever paths clients try


class MetricsMiddleware:
    """Pure ASGI, outermost, so it sees the status the client got (errors included).

    The route template is the matched route's `path` (which FastAPI leaves in the scope) after
    the prefix it was included under: FastAPI keeps a router included with a prefix as it was,
    so `templates` names those routes' whole paths (`/api/v1/posts/{id_or_slug}`) by their
    `id()`. A request that matched no route counts as `<unmatched>`, so clients cannot grow
    the number of series.
    """

    def __init__(self, app: ASGIApp, templates: Mapping[int, str]) -> None:
        self.app = app
        self.templates = templates
        # A few hundred at most: routes x methods x statuses the app answers.
        self.series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self._record(scope, status, perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = self.templates.get(id(route)) or str(getattr(route, "path", UNMATCHED))
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        key = (template, method, status)
        series = self.series.get(key)
        if series is None:  # `labels()` takes a lock and builds the key: once per series
            series = self.series[key] = (
                REQUESTS.labels(template, method, str(status)),
                LATENCY.labels(template, method),
            )
        series[0].inc()
        series[1].observe(seconds)
