"""OpenTelemetry traces: a real `inkwell serve` sends its spans over OTLP/HTTP to a receiver the
test runs; without an endpoint nothing of the tracing SDK is even imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from inkwell.core.otel import InsideRequests, check_protocol
from inkwell.core.tracing import ENDPOINTS, tracing_requested
from tests.test_shutdown import free_port, wait_ready

WAIT_SECONDS = 30


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: keeps every span it is sent, with its service's name."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.spans: list[tuple[str, Span]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest.FromString(body)
            for batch in request.resource_spans:
                service = _attributes(batch.resource.attributes)["service.name"]
                for scope in batch.scope_spans:
                    self.server.spans.extend((service, span) for span in scope.spans)
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200 if self.path == "/v1/traces" else 404)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads what arrived."""


def _attributes(pairs: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        values[pair.key] = getattr(pair.value, kind) if kind else None
    return values


@contextmanager
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def serve_traced(
    database_url: str, data_dir: Path, endpoint: str
) -> tuple[str, subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INKWELL_", "OTEL_"))}
    env.update(
        INKWELL_ENV="test",
        INKWELL_DATABASE_URL=database_url,
        INKWELL_DATA_DIR=str(data_dir),
        INKWELL_ACCESS_LOG="false",
        INKWELL_SHUTDOWN_DRAIN_SECONDS="0",
        INKWELL_WORKER_IN_PROCESS="false",
        OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
    )
    port = free_port()
    command = [sys.executable, "-c", "from inkwell.cli import app; app()", "serve", "--no-migrate"]
    server = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env)
    return f"http://127.0.0.1:{port}", server


@pytest.mark.usefixtures("committing_state")  # empties the tables the server wrote after it
def test_a_request_span_has_a_child_span_per_statement(database_url: str, tmp_path: Path) -> None:
    with receiver() as otlp:
        base, server = serve_traced(database_url, tmp_path, otlp.endpoint)
        try:
            wait_ready(base, server)  # /health/ready: not traced
            assert httpx.get(f"{base}/api/v1/posts?page_size=5", timeout=10).status_code == 200
            server.send_signal(signal.SIGTERM)  # the app's shutdown sends the batched spans
            server.wait(timeout=WAIT_SECONDS)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        spans = list(otlp.spans)
    servers = [span for _, span in spans if span.kind == Span.SPAN_KIND_SERVER]
    assert [span.name for span in servers] == ["GET /api/v1/posts"]
    request = servers[0]
    assert _attributes(request.attributes)["http.route"] == "/api/v1/posts"
    statements = [
        span
        for _, span in spans
        if span.kind == Span.SPAN_KIND_CLIENT and span.parent_span_id == request.span_id
    ]
    assert statements, [span.name for _, span in spans]
    for statement in statements:
        assert statement.trace_id == request.trace_id
        assert "postgresql" in _attributes(statement.attributes).values()
    assert {service for service, _ in spans} == {"inkwell"}
    # Statements outside requests (the live consumer's polling) start no trace of their own.
    assert all(span.parent_span_id for _, span in spans if span.kind == Span.SPAN_KIND_CLIENT)


def test_without_an_endpoint_nothing_of_the_tracing_sdk_is_loaded() -> None:
    """(redis-py imports the SDK's metrics module itself when the SDK is installed; its
    metrics stay off.)"""
    code = (
        "import sys\n"
        "from inkwell.core.config import Settings\n"
        "from inkwell.main import create_app\n"
        "create_app(Settings(_env_file=None, env='test'))\n"
        "loaded = [m for m in sys.modules if m.startswith(('opentelemetry.sdk.trace', "
        "'opentelemetry.exporter', 'opentelemetry.instrumentation', 'inkwell.core.otel'))]\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INKWELL_", "OTEL_"))}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_an_endpoint_turns_tracing_on_unless_the_sdk_is_disabled() -> None:
    assert not tracing_requested({})
    for name in ENDPOINTS:
        assert tracing_requested({name: "http://collector:4318"})
    assert not tracing_requested(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}
    )


def test_only_otlp_over_http_protobuf_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    check_protocol()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc")
    with pytest.raises(ValueError, match="http/protobuf only"):
        check_protocol()


def test_statements_outside_requests_start_no_trace() -> None:
    sampler = InsideRequests(ALWAYS_ON)
    root_statement = sampler.should_sample(None, 1, "SELECT", SpanKind.CLIENT)
    request = sampler.should_sample(None, 1, "GET /api/v1/posts", SpanKind.SERVER)
    parent = NonRecordingSpan(SpanContext(1, 2, is_remote=False, trace_flags=TraceFlags(1)))
    inside = trace.set_span_in_context(parent)
    statement = sampler.should_sample(inside, 1, "SELECT", SpanKind.CLIENT)
    assert root_statement.decision is Decision.DROP
    assert request.decision is statement.decision is Decision.RECORD_AND_SAMPLE
    assert sampler.get_description() == "InsideRequests{AlwaysOnSampler}"
