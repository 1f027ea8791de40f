"""The API-keys service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.apikeys.repository import ApiKeyRepository
from inkwell.apikeys.service import ApiKeyService
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep


async def api_key_service(session: SessionDep, state: StateDep) -> ApiKeyService:
    return ApiKeyService(keys=ApiKeyRepository(session), settings=state.settings)


ApiKeyServiceDep = Annotated[ApiKeyService, Depends(api_key_service)]
