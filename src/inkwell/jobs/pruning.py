"""Deleting what has outlived its retention: old events, ended sessions, old views, finished
webhook deliveries, expired live tickets, old live messages and expired idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, exists, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import PostViewEvent
from inkwell.models.event import OutboxConsumer, OutboxEvent
from inkwell.models.idempotency import IdempotencyKey
from inkwell.models.live import LiveMessage, LiveTicket
from inkwell.models.user import RefreshToken, UserSession
from inkwell.models.webhook import DeliveryStatus, WebhookDelivery


async def _deleted(session: AsyncSession, statement: Delete) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


async def prune_outbox(session: AsyncSession, before: datetime, *, relayed: bool) -> int:
    """Delete outbox rows older than `before` that every in-process consumer has passed; when
    the outbox is relayed to Kafka, only rows the relay published before `before`."""
    old = OutboxEvent.published_at < before if relayed else OutboxEvent.created_at < before
    row = tuple_(OutboxEvent.xact_id, OutboxEvent.position)
    unread = exists(
        select(OutboxConsumer.name).where(
            row > tuple_(OutboxConsumer.xact_id, OutboxConsumer.position)
        )
    )
    return await _deleted(session, delete(OutboxEvent).where(old, ~unread))


async def prune_sessions(session: AsyncSession, before: datetime) -> int:
    """Delete login sessions that expired or were revoked before `before` (with their refresh
    tokens), and refresh tokens that expired before it. A rotated token of a live session is
    kept until it expires: presenting it again must still revoke its family."""
    ended = or_(UserSession.expires_at < before, UserSession.revoked_at < before)
    sessions = await _deleted(session, delete(UserSession).where(ended))
    tokens = await _deleted(session, delete(RefreshToken).where(RefreshToken.expires_at < before))
    return sessions + tokens


async def prune_views(session: AsyncSession, before: datetime) -> int:
    """Delete post views seen before `before`."""
    return await _deleted(session, delete(PostViewEvent).where(PostViewEvent.seen_at < before))


async def prune_webhook_deliveries(session: AsyncSession, before: datetime) -> int:
    """Delete finished webhook deliveries (with their attempts) created before `before`."""
    finished = WebhookDelivery.status != DeliveryStatus.PENDING
    old = delete(WebhookDelivery).where(finished, WebhookDelivery.created_at < before)
    return await _deleted(session, old)


async def prune_idempotency_keys(session: AsyncSession, before: datetime) -> int:
    """Delete idempotency keys whose answers are no longer replayed."""
    return await _deleted(session, delete(IdempotencyKey).where(IdempotencyKey.expires_at < before))


async def prune_live_tickets(session: AsyncSession, before: datetime) -> int:
    """Delete live tickets that expired unused before `before`."""
    return await _deleted(session, delete(LiveTicket).where(LiveTicket.expires_at < before))


async def prune_live_messages(session: AsyncSession, before: datetime) -> int:
    """Delete live messages kept since before `before`: the oldest of each channel, so what
    is left of a channel is always its latest numbers (resuming checks that, comments/)."""
    return await _deleted(session, delete(LiveMessage).where(LiveMessage.created_at < before))
