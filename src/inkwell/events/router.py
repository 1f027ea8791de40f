"""GET /asyncapi.json: the catalogue of events (hidden with the API docs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from inkwell.core.db import SessionRoute
from inkwell.events.asyncapi import asyncapi_document

router = APIRouter(tags=["events"], route_class=SessionRoute)


@router.get("/asyncapi.json", include_in_schema=False)
async def asyncapi(request: Request) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every event type."""
    settings = request.app.state.inkwell.settings
    return asyncapi_document(settings.event_topic_prefix, settings.event_source)
