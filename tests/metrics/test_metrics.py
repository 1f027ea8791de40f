"""GET /metrics: off by default, behind its token, and what it counts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings
from tests.factories import create_post, create_user

TOKEN = "m" * 40
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def metered(settings: Settings, app_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with metrics on (INKWELL_METRICS_TOKEN set)."""
    app_state.settings = make_settings(settings.database_url or "", metrics_token=TOKEN)
    async with api_client(app_state) as client:
        yield client


def value(body: str, name: str, **labels: str) -> float:
    """One sample's value in a Prometheus text exposition (0 when it is absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in body.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if match and match[1] == name:
            found = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
            if found == wanted:
                return float(match[3])
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
    return response.text


async def test_metrics_are_off_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics", headers=BEARER)
    assert response.status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
async def test_the_token_is_required(metered: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = await metered.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "inkwell_http" not in response.text


async def test_requests_are_counted_by_route_template_method_and_status(
    metered: httpx.AsyncClient, session: AsyncSession
) -> None:
    author = await create_user(session, username="metered")
    post = await create_post(session, author, title="Counted")
    route = "/api/v1/posts/{id_or_slug}"
    before = await scrape(metered)
    for _ in range(3):
        assert (await metered.get(f"/api/v1/posts/{post.slug}")).status_code == 200
    assert (await metered.get("/api/v1/posts/no-such-post")).status_code == 404
    assert (await metered.get("/no/such/path/at/all")).status_code == 404
    after = await scrape(metered)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"route": route, "method": "GET", "status": "200"}
    assert grew("inkwell_http_requests_total", **ok) == 3
    assert grew("inkwell_http_requests_total", **{**ok, "status": "404"}) == 1
    unmatched = {"route": "<unmatched>", "method": "GET", "status": "404"}
    assert grew("inkwell_http_requests_total", **unmatched) == 1
    assert "/no/such/path" not in after
    timed = {"route": route, "method": "GET"}
    assert grew("inkwell_http_request_duration_seconds_count", **timed) == 4
    assert grew("inkwell_http_request_duration_seconds_bucket", **timed, le="+Inf") == 4
    assert grew("inkwell_http_request_duration_seconds_sum", **timed) > 0


async def test_outbox_backlog_and_jobs_come_from_the_database(
    metered: httpx.AsyncClient, session: AsyncSession
) -> None:
    await session.execute(text("DELETE FROM outbox_events"))
    await session.execute(text("DELETE FROM procrastinate_jobs"))
    body = await scrape(metered)
    assert value(body, "inkwell_outbox_pending_events") == 0
    assert value(body, "inkwell_outbox_oldest_pending_age_seconds") == 0
    author = await create_user(session, username="writer")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    await create_post(session, author, status="scheduled", published_at=later)
    await create_post(session, author, status="scheduled", published_at=later)
    await session.execute(text("UPDATE outbox_events SET created_at = now() - interval '1 hour'"))
    await session.execute(
        text(
            "UPDATE procrastinate_jobs SET status = 'failed' "
            "WHERE id = (SELECT min(id) FROM procrastinate_jobs)"
        )
    )
    body = await scrape(metered)
    pending = value(body, "inkwell_outbox_pending_events")
    assert pending >= 2  # a post.created (and more) per post, none relayed: Kafka is not set
    assert 3590 < value(body, "inkwell_outbox_oldest_pending_age_seconds") < 3700
    assert value(body, "inkwell_jobs", status="todo") == 1
    assert value(body, "inkwell_jobs", status="failed") == 1
    assert value(body, "inkwell_jobs", status="doing") == 0


async def test_the_pool_gauges_are_reported(metered: httpx.AsyncClient) -> None:
    body = await scrape(metered)
    assert "inkwell_db_pool_connections_in_use" in body
    assert "inkwell_db_pool_waiting 0.0" in body


def test_production_refuses_a_short_metrics_token() -> None:
    strict = {
        "env": "production",
        "jwt_secret": "s" * 40,
        "trusted_hosts": ["api.example.com"],
    }
    with pytest.raises(ValueError, match="INKWELL_METRICS_TOKEN"):
        Settings(_env_file=None, metrics_token="short", **strict)  # type: ignore[arg-type]
    assert Settings(_env_file=None, metrics_token=TOKEN, **strict).metrics_enabled  # type: ignore[arg-type]
