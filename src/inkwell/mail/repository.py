"""Every query on the messages waiting to be sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.mail import OutgoingMail


class MailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, mail: OutgoingMail) -> OutgoingMail:
        self.session.add(mail)
        await self.session.flush()
        return mail

    async def get(self, mail_id: uuid.UUID) -> OutgoingMail | None:
        return await self.session.scalar(select(OutgoingMail).where(OutgoingMail.id == mail_id))

    async def delete(self, mail_id: uuid.UUID) -> None:
        await self.session.execute(delete(OutgoingMail).where(OutgoingMail.id == mail_id))

    async def record_failure(
        self, mail_id: uuid.UUID, error: str, *, permanent: bool = False
    ) -> None:
        """Count a failed try; a permanent one also marks the message as never to be sent."""
        await self.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(
                attempts=OutgoingMail.attempts + 1,
                last_error=error,
                failed_at=func.now() if permanent else None,
            )
        )

    async def prune(self, before: datetime) -> int:
        """Delete messages never sent that were queued before `before`."""
        result = await self.session.execute(
            delete(OutgoingMail).where(OutgoingMail.created_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
