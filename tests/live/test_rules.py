"""Rules of live updates in isolation: what each subscriber receives of a message, the hub's
bounded queues and limits, and the bus's form of a long message."""

from __future__ import annotations

import json
import uuid

import pytest

from inkwell.live.bus import NOTIFY_LIMIT, _payload
from inkwell.live.exceptions import TooManyConnections, TooManySubscriptions
from inkwell.live.hub import SSE, WEBSOCKET, Hub
from inkwell.live.messages import Audience, LiveMessage, Redacted, parse_post_channel

AUTHOR = uuid.uuid4()
HIDDEN = LiveMessage(
    "post:1",
    7,
    "comment.hidden",
    {"comment": {"content_html": "rude"}},
    Audience.MODERATORS,
    AUTHOR,
    Redacted("comment.removed", {"id": "c"}),
)
PENDING = LiveMessage(
    "post:1", 8, "comment.created", {"comment": {}}, Audience.MODERATORS_AND_AUTHOR, AUTHOR
)


def test_a_hidden_comment_is_whole_only_for_moderators() -> None:
    assert HIDDEN.for_viewer(moderator=True, user_id=None)["type"] == "comment.hidden"
    for user_id in (None, AUTHOR, uuid.uuid4()):
        seen = HIDDEN.for_viewer(moderator=False, user_id=user_id)
        assert seen == {
            "channel": "post:1",
            "seq": 7,
            "type": "comment.removed",
            "data": {"id": "c"},
        }


def test_a_pending_comment_is_for_moderators_and_its_author() -> None:
    assert PENDING.for_viewer(moderator=False, user_id=AUTHOR)["type"] == "comment.created"
    assert PENDING.for_viewer(moderator=True, user_id=None)["type"] == "comment.created"
    other = PENDING.for_viewer(moderator=False, user_id=uuid.uuid4())
    assert other == {"channel": "post:1", "seq": 8, "type": "redacted", "data": {}}


def test_a_message_survives_the_bus() -> None:
    assert LiveMessage.from_json(json.loads(json.dumps(HIDDEN.to_json()))) == HIDDEN
    long = LiveMessage("post:1", 9, "comment.created", {"html": "x" * NOTIFY_LIMIT})
    assert json.loads(_payload(long)) == {"ref": ["post:1", 9]}
    assert json.loads(_payload(PENDING))["seq"] == 8


def test_post_channels_name_a_post_id() -> None:
    post_id = uuid.uuid4()
    assert parse_post_channel(f"post:{post_id}") == post_id
    assert parse_post_channel(f"user:{post_id}") is None
    assert parse_post_channel("post:nope") is None


async def test_a_full_queue_marks_only_its_client_too_slow() -> None:
    hub = Hub(queue_size=2, max_connections=5, max_subscriptions=5)
    slow, fast = hub.connect(None), hub.connect(None)
    for client in (slow, fast):
        hub.subscribe(client, "post:1", moderator=False)
    for seq in range(1, 4):
        await hub.deliver(LiveMessage("post:1", seq, "post.counts", {}))
        if seq < 3:
            await fast.queue.get()
    assert slow.too_slow.is_set()
    assert not fast.too_slow.is_set()
    assert fast.queue.qsize() == 1


async def test_a_closed_post_keeps_only_its_moderators() -> None:
    hub = Hub(queue_size=5, max_connections=5, max_subscriptions=5)
    reader, moderator = hub.connect(None), hub.connect(None)
    hub.subscribe(reader, "post:1", moderator=False)
    hub.subscribe(moderator, "post:1", moderator=True)
    await hub.deliver(LiveMessage("post:1", 1, "post.closed", {}))
    assert (await reader.queue.get())["type"] == "post.closed"
    assert hub.channels["post:1"] == {moderator}


def test_connections_and_subscriptions_are_counted() -> None:
    hub = Hub(queue_size=5, max_connections=1, max_subscriptions=1)
    user = uuid.uuid4()
    client = hub.connect(user)
    with pytest.raises(TooManyConnections):
        hub.connect(user)
    hub.subscribe(client, "post:1", moderator=False)
    hub.subscribe(client, "post:1", moderator=False)  # the same channel again counts once
    with pytest.raises(TooManySubscriptions):
        hub.subscribe(client, "post:2", moderator=False)
    hub.disconnect(client)
    assert hub.channels == {}
    hub.connect(user)  # its place is free again


def test_open_clients_are_counted_by_transport_and_reported() -> None:
    hub = Hub(queue_size=5, max_connections=5, max_subscriptions=5)
    reported: list[tuple[str, int]] = []
    hub.on_count = lambda transport, count: reported.append((transport, count))
    socket_client = hub.connect(None)
    stream_client = hub.connect(uuid.uuid4(), SSE)
    other_socket = hub.connect(None, WEBSOCKET)
    hub.disconnect(socket_client)
    hub.disconnect(socket_client)  # a second disconnect changes nothing
    assert hub.open == {WEBSOCKET: 1, SSE: 1}
    assert reported == [(WEBSOCKET, 1), (SSE, 1), (WEBSOCKET, 2), (WEBSOCKET, 1)]
    hub.disconnect(stream_client)
    assert (hub.open[SSE], hub.connections, hub.idle.is_set()) == (0, {}, False)
    hub.disconnect(other_socket)
    assert (hub.open[WEBSOCKET], hub.idle.is_set()) == (0, True)


async def test_a_user_channel_reaches_its_client_under_the_name_it_subscribed_by() -> None:
    hub = Hub(queue_size=5, max_connections=5, max_subscriptions=5)
    user = uuid.uuid4()
    mine, other = hub.connect(user), hub.connect(uuid.uuid4())
    hub.subscribe(mine, f"user:{user}", moderator=False, shown_as="user:me")
    hub.subscribe(other, f"user:{other.user_id}", moderator=False, shown_as="user:me")
    await hub.deliver(LiveMessage(f"user:{user}", 1, "notification", {"unread_count": 1}))
    assert (await mine.queue.get())["channel"] == "user:me"
    assert other.queue.empty()
    hub.unsubscribe(mine, "user:me")
    assert mine.grants == {}
    assert f"user:{user}" not in hub.channels
