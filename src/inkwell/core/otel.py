"""The OpenTelemetry SDK's side of tracing, imported only when tracing is on (core/tracing.py).

One tracer provider per process: spans are batched and sent over OTLP/HTTP (protobuf), asyncpg
gets a span per statement. The SDK reads the standard variables (OTEL_EXPORTER_OTLP_*,
OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES); Inkwell adds a
default service name and version, and leaves out statements that run outside any request (the
outbox consumers' and the relay's polling would otherwise be a trace a second each).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

from inkwell import __version__

PROTOCOLS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
SUPPORTED_PROTOCOL = "http/protobuf"


class InsideRequests(Sampler):
    """A client span (a statement) with no span above it is dropped; the rest are sampled as
    the configured sampler (OTEL_TRACES_SAMPLER) decides."""

    def __init__(self, configured: Sampler) -> None:
        self.configured = configured

    def should_sample(  # noqa: PLR0917 (the SDK's signature)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind is SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self.configured.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"InsideRequests{{{self.configured.get_description()}}}"


def check_protocol() -> None:
    """Only OTLP over HTTP with protobuf is installed; refuse another at start-up."""
    for name in PROTOCOLS:
        value = os.environ.get(name)
        if value and value.strip() != SUPPORTED_PROTOCOL:
            raise ValueError(f"{name}={value}: Inkwell sends traces as {SUPPORTED_PROTOCOL} only")


def resource() -> Resource:
    """service.name "inkwell" and the version, unless OTEL_SERVICE_NAME or
    OTEL_RESOURCE_ATTRIBUTES say otherwise."""
    ours = Resource.create({SERVICE_NAME: "inkwell", "service.version": __version__})
    return ours.merge(OTELResourceDetector().detect())


def tracer_provider() -> TracerProvider:
    """The process's provider, exporting in batches over OTLP, with asyncpg instrumented."""
    check_protocol()
    provider = TracerProvider(resource=resource(), shutdown_on_exit=False)
    provider.sampler = InsideRequests(provider.sampler)  # before any tracer is made
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    return provider
