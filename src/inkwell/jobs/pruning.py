"""Deleting what has outlived its retention: relayed events, ended sessions, old views."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import PostViewEvent
from inkwell.models.event import OutboxEvent
from inkwell.models.user import RefreshToken, UserSession


async def _deleted(session: AsyncSession, statement: Delete) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


async def prune_outbox(session: AsyncSession, before: datetime) -> int:
    """Delete outbox rows the relay published before `before`; pending rows stay."""
    return await _deleted(session, delete(OutboxEvent).where(OutboxEvent.published_at < before))


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
