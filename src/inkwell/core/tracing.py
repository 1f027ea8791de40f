"""OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only form,
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, off otherwise.

Off, nothing of the SDK, the exporter or the asyncpg instrumentation is imported and FastAPI's
own OpenTelemetry hooks stay off, so requests pay nothing. On, core/otel.py builds the
process's tracer provider; the SDK reads the standard OTEL_* variables itself (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi.telemetry import TelemetryConfig

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
UNTRACED_PATHS = ("/health/", "/metrics")  # probes and scrapes: many, and never interesting
OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether an OTLP endpoint is set (and the SDK not disabled with OTEL_SDK_DISABLED)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name) for name in ENDPOINTS)


def untraced(scope: MutableMapping[str, Any]) -> bool:
    return str(scope.get("path", "")).startswith(UNTRACED_PATHS)


@dataclass
class Tracing:
    """The process's tracer provider, or None when tracing is off."""

    provider: TracerProvider | None = None

    @property
    def fastapi(self) -> TelemetryConfig:
        """FastAPI's own instrumentation: a server span per request, named by its route."""
        if self.provider is None:
            return OFF
        return {
            **OFF,
            "tracing": True,
            "tracer_provider": self.provider,
            "operation_spans": False,
            "auto_configure": False,
            "exclude": untraced,
        }

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While the app runs; at its end the spans still batched are sent."""
        try:
            yield
        finally:
            if self.provider is not None:
                await asyncio.to_thread(self.provider.shutdown)


def start_tracing() -> Tracing:
    """Tracing as the environment asks."""
    if not tracing_requested():
        return Tracing()
    from inkwell.core.otel import tracer_provider  # noqa: PLC0415 (only when tracing is on)

    return Tracing(tracer_provider())
