"""The admin API of webhooks: who may use it, what it accepts, and what it shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.models.webhook import WebhookEndpoint
from tests.conftest import api_client, build_state
from tests.posts.conftest import Account

WEBHOOKS = "/api/v1/admin/webhooks"
PUBLIC_URL = "https://93.184.215.14/hook"
NEW = {"url": PUBLIC_URL, "event_types": ["inkwell.post.published.v1"], "description": "CRM"}


async def _create(client: httpx.AsyncClient, admin: Account, **changes: Any) -> dict[str, Any]:
    response = await client.post(WEBHOOKS, json={**NEW, **changes}, headers=admin.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def strict_client(
    settings: Settings,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with the default SSRF rules (https, public addresses only)."""
    async with api_client(build_state(settings, engine, hasher, sessionmaker)) as client:
        yield client


async def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(
    client: httpx.AsyncClient, admin: Account, session: AsyncSession
) -> None:
    created = await _create(client, admin)
    assert created["secret"].startswith("whsec_")
    assert created["enabled"] is True
    assert created["event_types"] == ["inkwell.post.published.v1"]
    assert created["disabled_reason"] is None
    assert created["failing_since"] is None
    stored = await session.scalar(select(WebhookEndpoint.secret))
    assert stored == created["secret"]  # kept as it is: signing needs it

    shown = await client.get(f"{WEBHOOKS}/{created['id']}", headers=admin.headers)
    listed = await client.get(WEBHOOKS, headers=admin.headers)
    assert shown.status_code == 200
    assert listed.status_code == 200
    assert "secret" not in shown.json()
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    assert created["secret"] not in shown.text + listed.text


async def test_rotating_the_secret_shows_a_new_one_once(
    client: httpx.AsyncClient, admin: Account, session: AsyncSession
) -> None:
    created = await _create(client, admin)
    response = await client.post(f"{WEBHOOKS}/{created['id']}/rotate-secret", headers=admin.headers)
    assert response.status_code == 200
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    assert secret != created["secret"]
    assert await session.scalar(select(WebhookEndpoint.secret)) == secret


async def test_an_admin_changes_and_deletes_an_endpoint(
    client: httpx.AsyncClient, admin: Account
) -> None:
    created = await _create(client, admin)
    url = f"{WEBHOOKS}/{created['id']}"
    changes = {"event_types": ["*"], "description": "all", "url": "https://93.184.215.14:8443/"}
    changed = await client.patch(url, json=changes, headers=admin.headers)
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in changes} == changes

    assert (await client.delete(url, headers=admin.headers)).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert (await client.delete(url, headers=admin.headers)).status_code == 404


async def test_disabling_records_why_and_enabling_clears_it(
    client: httpx.AsyncClient, admin: Account, session: AsyncSession
) -> None:
    created = await _create(client, admin)
    url = f"{WEBHOOKS}/{created['id']}"
    disabled = (await client.patch(url, json={"enabled": False}, headers=admin.headers)).json()
    assert disabled["enabled"] is False
    assert disabled["disabled_reason"] == "disabled by an admin"
    assert disabled["disabled_at"].endswith("Z")

    endpoint = await session.scalar(select(WebhookEndpoint))
    assert endpoint is not None
    endpoint.failing_since = endpoint.disabled_at
    endpoint.disabled_reason = "every delivery attempt failed for 3 days"
    await session.commit()
    enabled = (await client.patch(url, json={"enabled": True}, headers=admin.headers)).json()
    assert enabled["enabled"] is True
    assert enabled["disabled_reason"] is None
    assert enabled["disabled_at"] is None
    assert enabled["failing_since"] is None


async def test_an_endpoint_may_be_registered_disabled(
    client: httpx.AsyncClient, admin: Account
) -> None:
    created = await _create(client, admin, enabled=False)
    assert created["enabled"] is False
    assert created["disabled_reason"] == "disabled by an admin"


async def test_only_admins_may_manage_webhooks(
    client: httpx.AsyncClient, admin: Account, alice: Account
) -> None:
    created = await _create(client, admin)
    one = f"{WEBHOOKS}/{created['id']}"
    calls = [
        ("GET", WEBHOOKS, None),
        ("POST", WEBHOOKS, NEW),
        ("GET", one, None),
        ("PATCH", one, {"description": "x"}),
        ("DELETE", one, None),
        ("POST", f"{one}/rotate-secret", None),
        ("GET", f"{one}/deliveries", None),
        ("POST", f"{one}/test", None),
        ("POST", f"{one}/deliveries/{created['id']}/redeliver", None),
    ]
    for method, url, body in calls:
        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, url)
        refused = await client.request(method, url, json=body, headers=alice.headers)
        assert refused.status_code == 403, (method, url)
        assert refused.json()["code"] == "insufficient_role"
    kept = await client.get(one, headers=admin.headers)
    assert kept.json()["description"] == NEW["description"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"url", "event_types"}),
        ({**NEW, "event_types": []}, {"event_types"}),
        ({**NEW, "event_types": ["inkwell.post.nope.v1"]}, {"event_types"}),
        ({**NEW, "event_types": "*"}, {"event_types"}),
        ({**NEW, "url": ""}, {"url"}),
        ({**NEW, "url": "x" * 2001}, {"url"}),
        ({**NEW, "description": "d" * 501}, {"description"}),
        ({**NEW, "enabled": "yes"}, {"enabled"}),
        ({**NEW, "secret": "whsec_mine"}, {"secret"}),
    ],
)
async def test_bad_input_answers_422_naming_the_fields(
    client: httpx.AsyncClient, admin: Account, body: dict[str, Any], fields: set[str]
) -> None:
    response = await client.post(WEBHOOKS, json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert {error["field"].split(".")[0] for error in response.json()["errors"]} == fields


async def test_a_null_field_of_an_update_is_refused(
    client: httpx.AsyncClient, admin: Account
) -> None:
    created = await _create(client, admin)
    response = await client.patch(
        f"{WEBHOOKS}/{created['id']}", json={"url": None}, headers=admin.headers
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://localhost/hook",
        "https://admin:secret@93.184.215.14/hook",
    ],
)
async def test_unsafe_urls_are_refused_on_create_and_update(
    strict_client: httpx.AsyncClient, admin: Account, session: AsyncSession, url: str
) -> None:
    refused = await strict_client.post(WEBHOOKS, json={**NEW, "url": url}, headers=admin.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "webhook_url_refused"
    assert refused.json()["errors"][0]["field"] == "url"
    assert await session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0

    created = await _create(strict_client, admin)
    changed = await strict_client.patch(
        f"{WEBHOOKS}/{created['id']}", json={"url": url}, headers=admin.headers
    )
    assert changed.status_code == 422
    assert await session.scalar(select(WebhookEndpoint.url)) == PUBLIC_URL


async def test_unknown_endpoints_answer_404(client: httpx.AsyncClient, admin: Account) -> None:
    missing = f"{WEBHOOKS}/01890000-0000-7000-8000-000000000000"
    for method, url in [
        ("GET", missing),
        ("PATCH", missing),
        ("POST", f"{missing}/rotate-secret"),
        ("GET", f"{missing}/deliveries"),
        ("POST", f"{missing}/test"),
    ]:
        response = await client.request(
            method, url, json={} if method == "PATCH" else None, headers=admin.headers
        )
        assert response.status_code == 404, (method, url)
        assert response.json()["code"] == "webhook_not_found"
