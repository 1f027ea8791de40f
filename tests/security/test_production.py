"""Production mode: docs can be hidden, security headers are set, auth answers are not cached."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.security import TokenCodec
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings
from tests.factories import DEFAULT_PASSWORD, create_user

STRONG_SECRET = "production-secret-" + "x" * 40


def production(state: AppState, **overrides: object) -> httpx.AsyncClient:
    overrides = {"trusted_hosts": ["testserver"], **overrides}
    state.settings = make_settings(
        state.settings.database_url or "", env="production", jwt_secret=STRONG_SECRET, **overrides
    )
    state.codec = TokenCodec(state.settings)
    return api_client(state)


async def test_docs_and_schema_can_be_turned_off(app_state: AppState) -> None:
    async with production(app_state, docs_enabled=False) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404


async def test_security_headers_on_every_response(app_state: AppState) -> None:
    async with production(app_state) as client:
        for response in (
            await client.get("/health/live"),
            await client.get("/nope"),
            await client.get("/docs"),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_auth_responses_are_not_cached(app_state: AppState, session: AsyncSession) -> None:
    await create_user(session, username="prod")
    async with production(app_state) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"login": "prod", "password": DEFAULT_PASSWORD}
        )
        refresh = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        )
        form = await client.post(
            "/api/v1/auth/token", data={"username": "prod", "password": DEFAULT_PASSWORD}
        )
    for response in (login, refresh, form):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


async def test_unknown_hosts_are_refused(app_state: AppState) -> None:
    async with production(app_state, trusted_hosts=["api.example.com", "*.example.org"]) as client:
        for host in ("api.example.com", "api.example.com:8443", "blog.example.org"):
            assert (await client.get("/api/v1/tags", headers={"Host": host})).status_code == 200
        for host in ("evil.example", "example.org", "api.example.com.evil.example"):
            refused = await client.get("/api/v1/posts/", headers={"Host": host})
            assert refused.status_code == 400
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "untrusted_host"
            assert "location" not in refused.headers
        probe = await client.get("/health/live", headers={"Host": "10.0.0.7:8000"})
        assert probe.status_code == 200


async def test_the_site_url_host_is_trusted_when_no_hosts_are_listed(app_state: AppState) -> None:
    site = "https://blog.example.com"
    async with production(app_state, trusted_hosts=[], site_url=site) as client:
        served = await client.get("/api/v1/tags", headers={"Host": "blog.example.com"})
        refused = await client.get("/api/v1/tags", headers={"Host": "evil.example"})
    assert (served.status_code, refused.status_code) == (200, 400)
