"""Tags, the RealWorld error format beside /api/v1's problems, CORS, /docs and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.errors import ErrorInfo
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.realworld.errors import conduit_errors
from inkwell.realworld.schemas import conduit_time
from tests.conftest import make_settings
from tests.factories import create_post
from tests.realworld.conftest import Conduit, errors_of


async def test_tags_of_public_articles_most_used_first(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    assert (await api.get("/api/tags")).json() == {"tags": []}
    await create_post(session, jake.user, tags=["Python", "life"])
    await create_post(session, jake.user, tags=["python"])
    await create_post(session, jake.user, status="draft", tags=["secret"])
    response = await api.get("/api/tags")
    assert response.status_code == 200
    assert response.json() == {"tags": ["Python", "life"]}


async def test_unknown_api_paths_answer_in_the_realworld_format(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/nothing")
    assert response.status_code == 404
    assert response.json() == {"errors": {"resource": ["not found"]}}
    wrong_method = await api.patch("/api/tags")
    assert wrong_method.status_code == 405
    assert list(errors_of(wrong_method)) == ["request"]


async def test_api_v1_keeps_its_problem_documents(api: httpx.AsyncClient) -> None:
    for url in ("/api/v1/posts/nothing", "/api/v1/nothing", "/api/v1"):
        response = await api.get(url)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404
    assert (await api.get("/api/v1/users/me")).json()["code"] == "unauthorized"


async def test_too_large_bodies_answer_in_the_format_of_their_path(
    app_state: AppState, settings: Settings
) -> None:
    small = make_settings(settings.database_url or "", max_body_bytes=1024)
    app = create_app(small, state=app_state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        big = {"user": {"email": "x" * 2000, "password": "p"}}
        conduit = await c.post("/api/users/login", json=big)
        assert conduit.status_code == 413
        assert list(conduit.json()["errors"]) == ["request"]
        v1 = await c.post("/api/v1/auth/login", json=big)
        assert v1.headers["content-type"] == "application/problem+json"


def test_errors_without_fields_name_a_resource_or_the_request() -> None:
    assert conduit_errors(ErrorInfo(status=404, code="tag_not_found", title="t")) == {
        "resource": ["not found"]
    }
    assert conduit_errors(ErrorInfo(status=429, code="rate_limited", title="Too many")) == {
        "request": ["Too many"]
    }
    unavailable = ErrorInfo(status=503, code="service_unavailable", title="t", detail="Busy")
    assert conduit_errors(unavailable) == {"server": ["Busy"]}
    field = {"field": "summary", "message": "is wrong", "type": "invalid"}
    assert conduit_errors(ErrorInfo(status=422, code="x", title="t", errors=[field])) == {
        "description": ["is wrong"]
    }


def test_conduit_time_is_utc_with_milliseconds_and_z() -> None:
    moment = datetime(2026, 11, 22, 7, 49, 4, 123_999, tzinfo=timezone(timedelta(hours=1)))
    assert conduit_time(moment) == "2026-11-22T06:49:04.123Z"
    assert conduit_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"
    assert conduit_time(datetime(41, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "0041-01-02T03:04:05.000Z"


# CORS


async def preflight(settings: Settings, origin: str) -> httpx.Response:
    app = create_app(settings)  # a preflight never reaches the database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.options(
            "/api/user",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )


async def test_development_lets_any_front_end_call_with_a_token() -> None:
    settings = make_settings(env="development")
    assert settings.allowed_origins == ["*"]
    response = await preflight(settings, "http://localhost:3000")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert "PUT" in response.headers["access-control-allow-methods"]


async def test_configured_origins_are_the_only_ones_allowed() -> None:
    settings = make_settings(env="development", cors_origins="https://conduit.example")
    assert settings.allowed_origins == ["https://conduit.example"]
    allowed = await preflight(settings, "https://conduit.example")
    assert allowed.headers["access-control-allow-origin"] == "https://conduit.example"
    refused = await preflight(settings, "http://localhost:3000")
    assert refused.status_code == 400
    assert make_settings(env="test").allowed_origins == []
    with_credentials = make_settings(env="development", cors_allow_credentials=True)
    assert with_credentials.allowed_origins == []


def test_realworld_routes_have_their_own_tag_in_the_docs() -> None:
    spec = create_app(make_settings()).openapi()
    tagged = {
        (path, method)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "RealWorld" in operation.get("tags", [])
    }
    assert len(tagged) == 19
    assert all(not path.startswith("/api/v1") for path, _ in tagged)
    assert ("/api/articles/{slug}/comments/{id}", "delete") in tagged
    assert "Token" in spec["components"]["securitySchemes"]
