"""One WebSocket connection: the client's subscribe and unsubscribe messages in, its queue and
heartbeats out, closed with a code of docs/live.md when it is too slow."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from inkwell.core.errors import DomainError
from inkwell.live.hub import Client
from inkwell.live.runtime import LiveRuntime
from inkwell.models.user import User

CLOSE_TOO_SLOW = 4008
CLOSE_RESTART = 1012  # RFC 6455 "service restart": the reason says when to reconnect
CLOSE_TIMEOUT_SECONDS = 1.0
MAX_CLIENT_MESSAGE = 1_000  # characters; a subscribe message is far shorter


class LiveSocket:
    def __init__(
        self, websocket: WebSocket, runtime: LiveRuntime, client: Client, user: User | None
    ) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.client = client
        self.user = user

    async def run(self) -> None:
        """Serve the connection until the client leaves, is too slow or the server stops."""
        tasks = [
            asyncio.create_task(self._read()),
            asyncio.create_task(self._write()),
            asyncio.create_task(self._beat()),
            asyncio.create_task(self.client.too_slow.wait()),
            asyncio.create_task(self.runtime.stopping.wait()),
        ]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self.client.too_slow.is_set():
            await self._close(CLOSE_TOO_SLOW, "too slow: messages were not read in time")
        elif self.runtime.stopping.is_set():
            hint = json.dumps(self.runtime.reconnect_hint(), separators=(",", ":"))
            await self._close(CLOSE_RESTART, hint)

    async def _read(self) -> None:
        with suppress(WebSocketDisconnect):
            while True:
                text = await self.websocket.receive_text()
                await self._handle(text)

    async def _handle(self, text: str) -> None:
        request = _parse(text)
        if request is None:
            self.client.offer(_error("invalid_message", "Send {type, channel} as JSON"))
            return
        kind, channel = request
        if kind == "unsubscribe":
            self.runtime.hub.unsubscribe(self.client, channel)
            self.client.offer({"type": "unsubscribed", "channel": channel})
            return
        try:
            name, seq = await self.runtime.subscribe(self.client, channel, self.user)
        except DomainError as error:
            self.client.offer(_error(error.code, error.detail, channel=channel))
            return
        self.client.offer({"type": "subscribed", "channel": name, "seq": seq})

    async def _write(self) -> None:
        with suppress(WebSocketDisconnect):
            while True:
                await self.websocket.send_json(await self.client.queue.get())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.runtime.settings.live_heartbeat_seconds)
            self.client.offer({"type": "heartbeat"})

    async def _close(self, code: int, reason: str) -> None:
        with suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code, reason), CLOSE_TIMEOUT_SECONDS)


def _parse(text: str) -> tuple[str, str] | None:
    """(type, channel) of a subscribe or unsubscribe message; None for anything else."""
    if len(text) > MAX_CLIENT_MESSAGE:
        return None
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    kind, channel = body.get("type"), body.get("channel")
    if kind not in {"subscribe", "unsubscribe"} or not isinstance(channel, str):
        return None
    return kind, channel[:200]


def _error(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}
