"""The tags service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.tags.repository import TagRepository
from inkwell.tags.service import TagService


async def tag_service(session: SessionDep) -> TagService:
    return TagService(tags=TagRepository(session))


TagServiceDep = Annotated[TagService, Depends(tag_service)]
