"""The syndication service and the site's links, as routes need them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.syndication.formats import Links
from inkwell.syndication.repository import SyndicationRepository
from inkwell.syndication.service import SyndicationService


async def syndication_service(session: SessionDep) -> SyndicationService:
    return SyndicationService(repository=SyndicationRepository(session))


def site_links(state: StateDep) -> Links:
    """Absolute URLs from the settings (INKWELL_SITE_URL), never from the request's Host."""
    settings = state.settings
    return Links(
        site=settings.site_base,
        pages=settings.frontend_url or settings.site_base,
        post_path=settings.post_page_path,
        site_name=settings.site_name,
    )


SyndicationServiceDep = Annotated[SyndicationService, Depends(syndication_service)]
LinksDep = Annotated[Links, Depends(site_links)]
