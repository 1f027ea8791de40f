"""Each prune deletes what is past its retention, and nothing else."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import BookmarkAdded
from inkwell.jobs import pruning
from inkwell.models.engagement import PostViewEvent
from inkwell.models.event import OutboxConsumer, OutboxEvent
from inkwell.models.live import LiveMessage, LiveTicket
from inkwell.models.user import RefreshToken, User, UserSession
from inkwell.models.webhook import WebhookDelivery, WebhookEndpoint
from tests.factories import create_post, create_user, outbox

NOW = datetime.now(UTC)
CUTOFF = NOW - timedelta(days=1)
OLD, RECENT = NOW - timedelta(days=2), NOW - timedelta(hours=1)


async def test_outbox_prune_deletes_rows_relayed_before_the_cutoff(session: AsyncSession) -> None:
    user = await create_user(session)
    events = [BookmarkAdded(post_id=user.id, user_id=user.id) for _ in range(3)]
    recorded = await outbox(session).record(*events)
    ids = [event.id for event in recorded]
    for event_id, published in zip(ids, [OLD, RECENT, None], strict=True):
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.event_id == event_id)
            .values(published_at=published)
        )

    assert await pruning.prune_outbox(session, CUTOFF, relayed=True) == 1
    left = await session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.event_id.in_(ids)))
    assert set(left) == set(ids[1:])


async def test_outbox_prune_keeps_rows_a_consumer_has_not_passed(session: AsyncSession) -> None:
    user = await create_user(session)
    events = [BookmarkAdded(post_id=user.id, user_id=user.id) for _ in range(4)]
    ids = [event.id for event in await outbox(session).record(*events)]
    rows = list(
        await session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_id.in_(ids)).order_by(OutboxEvent.position)
        )
    )
    for row, created in zip(rows, [OLD, OLD, OLD, RECENT], strict=True):
        row.created_at = created
    passed = rows[1]
    session.add(OutboxConsumer(name="a-test", xact_id=passed.xact_id, position=passed.position))
    await session.flush()

    assert await pruning.prune_outbox(session, CUTOFF, relayed=True) == 0  # none was relayed
    assert await pruning.prune_outbox(session, CUTOFF, relayed=False) == 2
    left = await session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.event_id.in_(ids)))
    assert set(left) == set(ids[2:])


def _login(user: User, *, expires: datetime, revoked: datetime | None = None) -> UserSession:
    return UserSession(user_id=user.id, expires_at=expires, revoked_at=revoked)


async def test_session_prune_deletes_sessions_and_tokens_ended_before_the_cutoff(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    live = _login(user, expires=NOW + timedelta(days=9))
    expired = _login(user, expires=OLD)
    revoked = _login(user, expires=NOW + timedelta(days=9), revoked=OLD)
    recently_ended = _login(user, expires=RECENT, revoked=RECENT)
    session.add_all([live, expired, revoked, recently_ended])
    await session.flush()
    tokens = [
        RefreshToken(token_hash=os.urandom(32), user_id=user.id, family_id=live.id, expires_at=at)
        for at in (OLD, RECENT)
    ]
    rotated = RefreshToken(
        token_hash=os.urandom(32),
        user_id=user.id,
        family_id=live.id,
        expires_at=NOW + timedelta(days=9),
        revoked_at=OLD,
    )
    session.add_all([*tokens, rotated])
    await session.flush()

    assert await pruning.prune_sessions(session, CUTOFF) == 3
    sessions = set(
        await session.scalars(select(UserSession.id).where(UserSession.user_id == user.id))
    )
    assert sessions == {live.id, recently_ended.id}
    kept = set(
        await session.scalars(select(RefreshToken.id).where(RefreshToken.user_id == user.id))
    )
    assert kept == {tokens[1].id, rotated.id}


async def test_view_prune_deletes_views_seen_before_the_cutoff(session: AsyncSession) -> None:
    author = await create_user(session)
    post = await create_post(session, author)
    for seen in (OLD, RECENT):
        session.add(PostViewEvent(post_id=post.id, viewer_hash=os.urandom(32), seen_at=seen))
    await session.flush()

    assert await pruning.prune_views(session, CUTOFF) == 1
    count = await session.scalar(
        select(func.count()).select_from(PostViewEvent).where(PostViewEvent.post_id == post.id)
    )
    assert count == 1


async def test_webhook_prune_deletes_finished_deliveries_created_before_the_cutoff(
    session: AsyncSession,
) -> None:
    endpoint = WebhookEndpoint(url="https://93.184.215.14/", event_types=["*"], secret="whsec_A")
    session.add(endpoint)
    await session.flush()
    kept = []
    for status, created in [
        ("succeeded", OLD),
        ("failed", OLD),
        ("pending", OLD),
        ("succeeded", RECENT),
    ]:
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=uuid.uuid4(),
            event_type="inkwell.webhook.test.v1",
            body="{}",
            status=status,
            next_attempt_at=None,
            created_at=created,
        )
        session.add(delivery)
        kept.append(delivery)
    await session.flush()

    assert await pruning.prune_webhook_deliveries(session, CUTOFF) == 2
    left = await session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    assert set(left) == {kept[2].id, kept[3].id}


async def test_expired_live_tickets_are_pruned(session: AsyncSession) -> None:
    user = await create_user(session)
    for name, expires in [("old", OLD), ("recent", RECENT)]:
        session.add(LiveTicket(token_hash=name * 8, user_id=user.id, expires_at=expires))
    await session.flush()

    assert await pruning.prune_live_tickets(session, CUTOFF) == 1
    left = await session.scalars(select(LiveTicket.token_hash).where(LiveTicket.user_id == user.id))
    assert list(left) == ["recent" * 8]


async def test_live_messages_past_their_retention_are_pruned(session: AsyncSession) -> None:
    channel = f"post:{uuid.uuid4()}"
    for seq, created in [(1, OLD), (2, OLD), (3, RECENT)]:
        session.add(LiveMessage(channel=channel, seq=seq, payload={}, created_at=created))
    await session.flush()

    assert await pruning.prune_live_messages(session, CUTOFF) == 2
    left = await session.scalars(select(LiveMessage.seq).where(LiveMessage.channel == channel))
    assert list(left) == [3]
