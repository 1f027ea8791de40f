"""The error contract: every failure is application/problem+json with a code and request id."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from inkwell.core.db import SessionDep
from inkwell.core.errors import Conflict
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.conftest import make_settings

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def _assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.fixture
async def app_client(app_state: AppState) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(app_state.settings, state=app_state)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.post("/conflict")
    async def conflict() -> None:
        raise Conflict("It clashes.")

    @app.post("/echo")
    async def echo(payload: dict[str, str]) -> dict[str, str]:
        return payload

    @app.get("/driver-busy")
    async def driver_busy() -> None:  # the driver's own error, as a DriverSelect raises it
        raise DBAPIError(
            "SELECT 1", None, asyncpg.InterfaceError("another operation is in progress")
        )

    @app.get("/sql-error")
    async def sql_error(session: SessionDep) -> None:
        await session.execute(text("SELECT * FROM no_such_table"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield app, client


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.get("/api/v1/nope"), 404, "not_found")


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.delete("/health/live"), 405, "method_not_allowed")


async def test_validation_error_lists_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"login": ""})
    _assert_problem(response, 422, "validation_error")
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"login", "password"}


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    _assert_problem(response, 422, "validation_error")


async def test_domain_error_is_rendered(app_client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = app_client
    response = await client.post("/conflict")
    _assert_problem(response, 409, "conflict")
    assert response.json()["detail"] == "It clashes."


async def test_unexpected_error_is_500_without_trace(
    app_client: tuple[FastAPI, httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = app_client
    with caplog.at_level(logging.ERROR, logger="inkwell.errors"):
        response = await client.get("/boom")
    _assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert any(record.exc_info for record in caplog.records), "the trace must be logged"


async def test_database_error_is_500_without_sql(
    app_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = app_client
    response = await client.get("/sql-error")
    _assert_problem(response, 500, "internal_error")
    assert "no_such_table" not in response.text


async def test_a_driver_interface_error_is_503_as_through_sqlalchemy(
    app_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = app_client
    response = await client.get("/driver-busy")
    _assert_problem(response, 503, "service_unavailable")
    assert response.headers["retry-after"]


async def test_request_id_is_echoed_when_sane(client: httpx.AsyncClient) -> None:
    sane = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert sane.headers["x-request-id"] == "abc-123"
    insane = await client.get("/health/live", headers={"X-Request-ID": "bad id\twith<junk>"})
    assert insane.headers["x-request-id"] != "bad id\twith<junk>"
    made = insane.headers["x-request-id"]
    assert len(made) == 32
    assert re.fullmatch("[0-9a-f]{32}", made)
    another = await client.get("/health/live")
    assert another.headers["x-request-id"] not in (made, "")


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_declared_oversized_body_is_413(app_state: AppState) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", max_body_bytes=2048)
    app = create_app(app_state.settings, state=app_state)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/login", content=b"x" * 4096, headers={"content-type": "application/json"}
        )
    _assert_problem(response, 413, "payload_too_large")


async def test_streamed_oversized_body_is_413(app_state: AppState) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", max_body_bytes=2048)
    app = create_app(app_state.settings, state=app_state)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1024

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
        )
    _assert_problem(response, 413, "payload_too_large")


async def test_cors_allows_configured_origins(app_state: AppState) -> None:
    app_state.settings = make_settings(
        app_state.settings.database_url or "", cors_origins=["https://app.example"]
    )
    app = create_app(app_state.settings, state=app_state)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        preflight = await client.options(
            "/api/v1/posts",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Idempotency-Key",
            },
        )
        answer = await client.get("/health/live", headers={"Origin": "https://app.example"})
        other = await client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert "idempotent-replayed" in exposed
    assert "access-control-allow-origin" not in other.headers


async def test_docs_can_be_turned_off(app_state: AppState) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", docs_enabled=False)
    app = create_app(app_state.settings, state=app_state)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 404


async def test_docs_are_served(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    schema = (await client.get("/openapi.json")).json()
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert {"401", "422", "429"} <= set(login["responses"])
