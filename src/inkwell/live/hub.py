"""One process's live clients: who is connected, who listens to which channel, and each
client's bounded queue of messages to send.

A message is offered to every subscriber of its channel without waiting: a client whose queue
is full is marked too slow and its connection closes (close code 4008); the others never wait
for it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inkwell.live.exceptions import TooManyConnections, TooManySubscriptions
from inkwell.live.messages import LiveMessage

CLOSING = "post.closed"
WEBSOCKET = "websocket"
SSE = "sse"


@dataclass(eq=False)
class Client:
    """One connection (WebSocket or event stream)."""

    user_id: uuid.UUID | None
    queue: asyncio.Queue[dict[str, Any]]
    transport: str = WEBSOCKET
    # channel -> whether this client may moderate it (sees hidden comments)
    grants: dict[str, bool] = field(default_factory=dict)
    # channel -> the name this client subscribed by, where it differs (`user:me`)
    names: dict[str, str] = field(default_factory=dict)
    too_slow: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.too_slow.set()


class Hub:
    def __init__(self, *, queue_size: int, max_connections: int, max_subscriptions: int) -> None:
        self.queue_size = queue_size
        self.max_connections = max_connections
        self.max_subscriptions = max_subscriptions
        self.channels: dict[str, set[Client]] = defaultdict(set)
        self.connections: Counter[uuid.UUID] = Counter()
        self.clients: set[Client] = set()
        self.open: Counter[str] = Counter()  # clients by transport
        self.idle = asyncio.Event()  # set while no client is connected
        self.idle.set()
        # Told the number of open clients of a transport whenever it changes (the gauge).
        self.on_count: Callable[[str, int], None] | None = None

    def connect(self, user_id: uuid.UUID | None, transport: str = WEBSOCKET) -> Client:
        """A new client; a signed-in user holds at most `max_connections` per process."""
        if user_id is not None:
            if self.connections[user_id] >= self.max_connections:
                raise TooManyConnections
            self.connections[user_id] += 1
        client = Client(user_id, asyncio.Queue(self.queue_size), transport)
        self.clients.add(client)
        self.idle.clear()
        self._count(transport, 1)
        return client

    def _count(self, transport: str, change: int) -> None:
        self.open[transport] += change
        if self.on_count is not None:
            self.on_count(transport, self.open[transport])

    def disconnect(self, client: Client) -> None:
        if client not in self.clients:  # already gone
            return
        self.clients.discard(client)
        if not self.clients:
            self.idle.set()
        self._count(client.transport, -1)
        for channel in list(client.grants):
            self.unsubscribe(client, channel)
        if client.user_id is not None:
            self.connections[client.user_id] -= 1
            if self.connections[client.user_id] <= 0:
                del self.connections[client.user_id]

    def subscribe(
        self, client: Client, channel: str, *, moderator: bool, shown_as: str | None = None
    ) -> None:
        if channel not in client.grants and len(client.grants) >= self.max_subscriptions:
            raise TooManySubscriptions
        client.grants[channel] = moderator
        if shown_as is not None:
            client.names[channel] = shown_as
        self.channels[channel].add(client)

    def unsubscribe(self, client: Client, name: str) -> None:
        """Leave a channel, by its own name or the one the client subscribed by."""
        channel = next((key for key, shown in client.names.items() if shown == name), name)
        client.grants.pop(channel, None)
        client.names.pop(channel, None)
        subscribers = self.channels.get(channel)
        if subscribers is not None:
            subscribers.discard(client)
            if not subscribers:
                del self.channels[channel]

    async def deliver(self, message: LiveMessage) -> None:
        """Offer a message to this process's subscribers of its channel, each in its form."""
        for client in list(self.channels.get(message.channel, ())):
            moderator = client.grants.get(message.channel, False)
            view = message.for_viewer(moderator=moderator, user_id=client.user_id)
            view["channel"] = client.names.get(message.channel, message.channel)
            client.offer(view)
            if message.type == CLOSING and not moderator:
                self.unsubscribe(client, message.channel)
