"""The media service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.core.queue import JobQueue
from inkwell.events.outbox import Outbox
from inkwell.media.repository import MediaRepository
from inkwell.media.service import MediaService
from inkwell.media.storage import Storage, storage_for


def storage(state: StateDep) -> Storage:
    return storage_for(state.settings)


async def media_service(session: SessionDep, state: StateDep) -> MediaService:
    return MediaService(
        media=MediaRepository(session),
        storage=storage_for(state.settings),
        events=Outbox(session, state.settings),
        jobs=JobQueue(session),
        settings=state.settings,
    )


MediaServiceDep = Annotated[MediaService, Depends(media_service)]
StorageDep = Annotated[Storage, Depends(storage)]
