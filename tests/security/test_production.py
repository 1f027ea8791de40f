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
