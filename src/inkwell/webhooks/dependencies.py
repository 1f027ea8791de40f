"""FastAPI providers of the webhooks domain: the service a route needs, built per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.core.queue import JobQueue
from inkwell.webhooks.repository import WebhookRepository
from inkwell.webhooks.service import WebhookService


async def webhook_service(session: SessionDep, state: StateDep) -> WebhookService:
    return WebhookService(
        webhooks=WebhookRepository(session), jobs=JobQueue(session), settings=state.settings
    )


WebhookServiceDep = Annotated[WebhookService, Depends(webhook_service)]
