"""One Server-Sent Events stream: the same messages as a WebSocket, as `text/event-stream`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from inkwell.live.hub import Client, Hub

HEARTBEAT = ": heartbeat\n\n"


def event(message: dict[str, Any]) -> str:
    """An SSE event: `id` is channel:seq for channel messages, `event` the message's type."""
    lines = [f"event: {message['type']}"]
    if "seq" in message and message.get("channel"):
        lines.insert(0, f"id: {message['channel']}:{message['seq']}")
    lines.append(f"data: {json.dumps(message, separators=(',', ':'))}")
    return "\n".join(lines) + "\n\n"


async def event_stream(
    hub: Hub, client: Client, first: list[dict[str, Any]], heartbeat: float
) -> AsyncIterator[str]:
    """The `first` messages, then the client's queue, with heartbeats when idle; a client
    too slow to read gets a `too_slow` error event and the stream ends."""
    try:
        for message in first:
            yield event(message)
        while not client.too_slow.is_set():
            try:
                message = await asyncio.wait_for(client.queue.get(), heartbeat)
            except TimeoutError:
                yield HEARTBEAT
                continue
            yield event(message)
        yield event({"type": "error", "code": "too_slow", "detail": "messages were not read"})
    finally:
        hub.disconnect(client)
