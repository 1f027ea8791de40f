"""The delivery log, test events and redeliveries, through the admin API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.webhooks.delivery import DeliveryRunner
from tests.posts.conftest import Account
from tests.webhooks.receiver import Answer, Receiver
from tests.webhooks.support import real_time

WEBHOOKS = "/api/v1/admin/webhooks"


async def _register(client: httpx.AsyncClient, admin: Account, url: str) -> dict[str, Any]:
    response = await client.post(
        WEBHOOKS, json={"url": url, "event_types": ["*"]}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _log(client: httpx.AsyncClient, admin: Account, endpoint_id: str, **params: Any) -> Any:
    response = await client.get(
        f"{WEBHOOKS}/{endpoint_id}/deliveries", params=params, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_test_event_is_sent_and_logged_and_a_redelivery_keeps_its_id(
    client: httpx.AsyncClient,
    admin: Account,
    sessionmaker: async_sessionmaker[AsyncSession],
    local_settings: Settings,
    receiver: Receiver,
) -> None:
    endpoint = await _register(client, admin, receiver.url)
    runner = DeliveryRunner(sessionmaker, local_settings, clock=real_time())
    queued = await client.post(f"{WEBHOOKS}/{endpoint['id']}/test", headers=admin.headers)
    assert queued.status_code == 202
    delivery = queued.json()
    assert (delivery["status"], delivery["attempt_count"]) == ("pending", 0)
    assert delivery["event_type"] == "inkwell.webhook.test.v1"

    receiver.answer = Answer(status=500, body=b"down for maintenance")
    await runner.attempt(_id(delivery), 1)
    [entry] = (await _log(client, admin, endpoint["id"]))["items"]
    assert (entry["status"], entry["attempt_count"]) == ("pending", 1)
    [failed] = entry["attempts"]
    assert failed["status_code"] == 500
    assert failed["response_excerpt"] == "down for maintenance"
    assert failed["succeeded"] is False
    assert failed["duration_ms"] >= 0
    assert failed["next_attempt_at"] == entry["next_attempt_at"] is not None

    receiver.answer = Answer()
    url = f"{WEBHOOKS}/{endpoint['id']}/deliveries/{delivery['id']}/redeliver"
    again = await client.post(url, headers=admin.headers)
    assert again.status_code == 202
    await runner.attempt(_id(delivery), 2)
    [entry] = (await _log(client, admin, endpoint["id"]))["items"]
    assert (entry["status"], entry["attempt_count"], entry["next_attempt_at"]) == (
        "succeeded",
        2,
        None,
    )
    assert [a["number"] for a in entry["attempts"]] == [2, 1]
    assert entry["attempts"][0]["status_code"] == 200
    ids = [request.headers["webhook-id"] for request in receiver.requests]
    assert ids == [delivery["event_id"]] * 2
    for request in receiver.requests:
        request.verified(endpoint["secret"])


def _id(delivery: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(delivery["id"])


async def test_the_log_is_paged_newest_first(
    client: httpx.AsyncClient, admin: Account, receiver: Receiver
) -> None:
    endpoint = await _register(client, admin, receiver.url)
    sent = [
        (await client.post(f"{WEBHOOKS}/{endpoint['id']}/test", headers=admin.headers)).json()
        for _ in range(3)
    ]
    first = await _log(client, admin, endpoint["id"], limit=2)
    assert [d["id"] for d in first["items"]] == [sent[2]["id"], sent[1]["id"]]
    assert first["next_cursor"] == sent[1]["id"]
    rest = await _log(client, admin, endpoint["id"], limit=2, before=first["next_cursor"])
    assert [d["id"] for d in rest["items"]] == [sent[0]["id"]]
    assert rest["next_cursor"] is None
    for params in ({"limit": 0}, {"limit": 101}, {"before": "not-an-id"}):
        response = await client.get(
            f"{WEBHOOKS}/{endpoint['id']}/deliveries", params=params, headers=admin.headers
        )
        assert response.status_code == 422


async def test_redelivering_what_another_endpoint_has_answers_404(
    client: httpx.AsyncClient, admin: Account, receiver: Receiver
) -> None:
    one = await _register(client, admin, receiver.url)
    other = await _register(client, admin, receiver.url)
    delivery = (await client.post(f"{WEBHOOKS}/{one['id']}/test", headers=admin.headers)).json()
    for endpoint_id, delivery_id in [
        (other["id"], delivery["id"]),
        (one["id"], "01890000-0000-7000-8000-000000000000"),
    ]:
        response = await client.post(
            f"{WEBHOOKS}/{endpoint_id}/deliveries/{delivery_id}/redeliver", headers=admin.headers
        )
        assert response.status_code == 404
        assert response.json()["code"] == "webhook_delivery_not_found"


async def test_a_disabled_endpoint_takes_no_test_or_redelivery(
    client: httpx.AsyncClient, admin: Account, receiver: Receiver
) -> None:
    endpoint = await _register(client, admin, receiver.url)
    url = f"{WEBHOOKS}/{endpoint['id']}"
    delivery = (await client.post(f"{url}/test", headers=admin.headers)).json()
    await client.patch(url, json={"enabled": False}, headers=admin.headers)
    for action in ("test", f"deliveries/{delivery['id']}/redeliver"):
        response = await client.post(f"{url}/{action}", headers=admin.headers)
        assert response.status_code == 409
        assert response.json()["code"] == "webhook_disabled"
