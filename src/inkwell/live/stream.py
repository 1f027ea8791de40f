"""One Server-Sent Events stream: the same messages as a WebSocket, as `text/event-stream`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from inkwell.live.hub import Client
from inkwell.live.runtime import LiveRuntime

HEARTBEAT = ": heartbeat\n\n"


def event(message: dict[str, Any]) -> str:
    """An SSE event: `id` is channel:seq for channel messages, `event` the message's type."""
    lines = [f"event: {message['type']}"]
    if "seq" in message and message.get("channel"):
        lines.insert(0, f"id: {message['channel']}:{message['seq']}")
    lines.append(f"data: {json.dumps(message, separators=(',', ':'))}")
    return "\n".join(lines) + "\n\n"


def restart_event(hint: dict[str, Any]) -> str:
    """The last event before a shutdown: `retry` makes an EventSource wait that long before it
    reconnects (it reconnects by itself when the stream ends)."""
    return f"retry: {hint['retry_after_ms']}\n" + event(hint)


async def event_stream(
    runtime: LiveRuntime, client: Client, first: list[dict[str, Any]]
) -> AsyncIterator[str]:
    """The `first` messages, then the client's queue, with heartbeats when idle; a client
    too slow to read gets a `too_slow` error event and the stream ends. On shutdown it ends
    with a `restart` event."""
    heartbeat = runtime.settings.live_heartbeat_seconds
    try:
        for message in first:
            yield event(message)
        while not client.too_slow.is_set():
            if runtime.stopping.is_set():
                yield restart_event(runtime.reconnect_hint())
                return
            queued = await _next(client, runtime.stopping, heartbeat)
            if queued is not None:
                yield event(queued)
            elif not runtime.stopping.is_set():
                yield HEARTBEAT
        yield event({"type": "error", "code": "too_slow", "detail": "messages were not read"})
    finally:
        runtime.hub.disconnect(client)


async def _next(client: Client, stopping: asyncio.Event, heartbeat: float) -> dict[str, Any] | None:
    """The client's next message; None after `heartbeat` seconds without one, or on shutdown."""
    if not client.queue.empty():
        return client.queue.get_nowait()
    getter = asyncio.ensure_future(client.queue.get())
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({getter, stop}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when the stream itself is cancelled (the client went away)
        stop.cancel()
        if not getter.done():
            getter.cancel()  # a cancelled get takes nothing from the queue
    return getter.result() if getter.done() else None
