"""HTTP endpoints of webhooks (/api/v1/admin/webhooks): admins only, as the service decides."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors
from inkwell.idempotency.dependencies import Idempotent
from inkwell.webhooks.dependencies import WebhookServiceDep
from inkwell.webhooks.schemas import (
    AttemptView,
    DeliveryPage,
    DeliveryView,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointUpdate,
    EndpointView,
    SecretView,
)
from inkwell.webhooks.service import DeliveryLog

router = APIRouter(prefix="/admin/webhooks", tags=["webhooks"], route_class=SessionRoute)


def _delivery(log: DeliveryLog) -> DeliveryView:
    delivery = log.delivery
    return DeliveryView(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        attempts=[AttemptView.model_validate(attempt) for attempt in log.attempts],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 422),
    dependencies=[Idempotent],
    openapi_extra=needs(Scope.ADMIN),
)
async def create_webhook(
    data: EndpointCreate, user: CurrentUser, service: WebhookServiceDep
) -> EndpointCreated:
    """Register an endpoint; the answer carries its signing secret, shown only this once."""
    return EndpointCreated.model_validate(await service.create(actor=user, data=data))


@router.get("", responses=errors(401, 403), openapi_extra=needs(Scope.ADMIN))
async def list_webhooks(user: CurrentUser, service: WebhookServiceDep) -> EndpointList:
    """Every endpoint (without secrets)."""
    endpoints = await service.endpoints(actor=user)
    return EndpointList(items=[EndpointView.model_validate(e) for e in endpoints])


@router.get("/{endpoint_id}", responses=errors(401, 403, 404), openapi_extra=needs(Scope.ADMIN))
async def get_webhook(
    endpoint_id: uuid.UUID, user: CurrentUser, service: WebhookServiceDep
) -> EndpointView:
    """One endpoint, with why and since when it was disabled or failing."""
    return EndpointView.model_validate(await service.get(actor=user, endpoint_id=endpoint_id))


@router.patch(
    "/{endpoint_id}", responses=errors(401, 403, 404, 422), openapi_extra=needs(Scope.ADMIN)
)
async def update_webhook(
    endpoint_id: uuid.UUID, changes: EndpointUpdate, user: CurrentUser, service: WebhookServiceDep
) -> EndpointView:
    """Change an endpoint; `enabled: true` re-enables one that was disabled."""
    endpoint = await service.update(actor=user, endpoint_id=endpoint_id, changes=changes)
    return EndpointView.model_validate(endpoint)


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.ADMIN),
)
async def delete_webhook(
    endpoint_id: uuid.UUID, user: CurrentUser, service: WebhookServiceDep
) -> None:
    """Remove an endpoint and its delivery log."""
    await service.delete(actor=user, endpoint_id=endpoint_id)


@router.post(
    "/{endpoint_id}/rotate-secret",
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.ADMIN),
)
async def rotate_webhook_secret(
    endpoint_id: uuid.UUID, user: CurrentUser, service: WebhookServiceDep
) -> SecretView:
    """Replace the signing secret; the new one is shown only this once."""
    endpoint = await service.rotate_secret(actor=user, endpoint_id=endpoint_id)
    return SecretView(secret=endpoint.secret)


@router.get(
    "/{endpoint_id}/deliveries",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.ADMIN),
)
async def list_webhook_deliveries(
    endpoint_id: uuid.UUID,
    user: CurrentUser,
    service: WebhookServiceDep,
    before: Annotated[uuid.UUID | None, Query(description="A page's next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with every attempt."""
    page = await service.deliveries(actor=user, endpoint_id=endpoint_id, before=before, limit=limit)
    return DeliveryPage(items=[_delivery(log) for log in page.items], next_cursor=page.next_cursor)


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.ADMIN),
)
async def test_webhook(
    endpoint_id: uuid.UUID, user: CurrentUser, service: WebhookServiceDep
) -> DeliveryView:
    """Send a webhook.test event to the endpoint now (it shows in the log)."""
    delivery = await service.send_test(actor=user, endpoint_id=endpoint_id)
    return _delivery(DeliveryLog(delivery, []))


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.ADMIN),
)
async def redeliver_webhook(
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    user: CurrentUser,
    service: WebhookServiceDep,
) -> DeliveryView:
    """Send a delivery again now, with the same webhook-id."""
    delivery = await service.redeliver(actor=user, endpoint_id=endpoint_id, delivery_id=delivery_id)
    return _delivery(DeliveryLog(delivery, []))
