"""Live updates: a ticket for a WebSocket (POST /live/ticket), the WebSocket (/live) and the
same streams as Server-Sent Events (GET /live/sse). The protocol is in docs/live.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, WebSocket, status
from fastapi.responses import StreamingResponse

from inkwell.auth.dependencies import CurrentUser, OptionalUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors
from inkwell.core.query import QueryModel
from inkwell.live.dependencies import LiveRuntimeDep, LiveServiceDep
from inkwell.live.exceptions import InvalidTicket, TooManyConnections
from inkwell.live.hub import SSE
from inkwell.live.runtime import LiveRuntime
from inkwell.live.schemas import PROTOCOL, LiveTicket, StreamParams
from inkwell.live.service import Grant, LiveService
from inkwell.live.socket import LiveSocket
from inkwell.live.stream import event_stream

router = APIRouter(prefix="/live", tags=["live"], route_class=SessionRoute)

TICKET_PREFIX = "ticket."
CLOSE_POLICY = 1008  # an Origin not allowed (sent as HTTP 403 before the handshake)
CLOSE_UNAVAILABLE = 1013
CLOSE_CODES = {InvalidTicket: 4401, TooManyConnections: 4429}
_STREAM_PARAMS = QueryModel(StreamParams)


@router.post(
    "/ticket",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401),
    openapi_extra=needs(Scope.POSTS_READ),
)
async def create_ticket(
    *, user: CurrentUser, service: LiveServiceDep, response: Response
) -> LiveTicket:
    """A short-lived, single-use ticket that signs a WebSocket in (no token in the URL)."""
    ticket, expires_in = await service.issue_ticket(user=user)
    response.headers["Cache-Control"] = "no-store"
    return LiveTicket(ticket=ticket, expires_in=expires_in)


@router.get(
    "/sse",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(401, 404, 422, 429)},
    openapi_extra=needs(Scope.POSTS_READ, _STREAM_PARAMS.openapi),
)
async def stream_events(
    *,
    params: Annotated[StreamParams, Depends(_STREAM_PARAMS)],
    viewer: OptionalUser,
    service: LiveServiceDep,
    runtime: LiveRuntimeDep,
) -> StreamingResponse:
    """The channels' messages as Server-Sent Events, each channel checked as a WebSocket
    subscription is; starts with one `subscribed` event per channel."""
    grants = [await service.grant(channel=name, user=viewer) for name in params.channels]
    client = runtime.hub.connect(viewer.id if viewer else None, SSE)
    try:
        for grant in grants:
            runtime.hub.subscribe(
                client, grant.channel, moderator=grant.moderator, shown_as=grant.shown_as
            )
        first = [await _subscribed(service, grant) for grant in grants]
    except BaseException:
        runtime.hub.disconnect(client)
        raise
    stream = event_stream(runtime, client, first)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


@router.websocket("")
async def live_socket(websocket: WebSocket) -> None:
    """Subscribe and unsubscribe by message. Offer the subprotocol `inkwell.live.v1`, and
    `ticket.<ticket>` to be signed in; without a ticket, public posts can be watched."""
    runtime: LiveRuntime = websocket.app.state.live
    offered = list(websocket.scope.get("subprotocols", []))
    origin = websocket.headers.get("origin")
    if PROTOCOL not in offered or not origin_allowed(origin, runtime.settings.allowed_origins):
        await websocket.close(CLOSE_POLICY)
        return
    await websocket.accept(subprotocol=PROTOCOL)
    if runtime.state is None:
        await websocket.close(CLOSE_UNAVAILABLE, "live updates are not running")
        return
    ticket = next((p[len(TICKET_PREFIX) :] for p in offered if p.startswith(TICKET_PREFIX)), None)
    try:
        user = await runtime.redeem(ticket) if ticket else None
        client = runtime.hub.connect(user.id if user else None)
    except (InvalidTicket, TooManyConnections) as error:
        await websocket.close(CLOSE_CODES[type(error)], error.title)
        return
    try:
        await LiveSocket(websocket, runtime, client, user).run()
    finally:
        runtime.hub.disconnect(client)


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Browsers send `Origin`: it must be one CORS allows. Other clients send none."""
    return origin is None or "*" in allowed or origin in allowed


async def _subscribed(service: LiveService, grant: Grant) -> dict[str, object]:
    return {
        "type": "subscribed",
        "channel": grant.name,
        "seq": await service.current_seq(channel=grant.channel),
    }
