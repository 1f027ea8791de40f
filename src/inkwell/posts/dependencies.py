"""The posts service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.db import request_session
from inkwell.events.outbox import Outbox
from inkwell.posts.previews import PreviewLinks
from inkwell.posts.repository import PostRepository
from inkwell.posts.service import PostService
from inkwell.tags.repository import TagRepository


def make_post_service(session: AsyncSession, settings: Settings) -> PostService:
    """The posts service over a session (other domains' services build on it)."""
    return PostService(
        posts=PostRepository(session),
        tags=TagRepository(session),
        events=Outbox(session, settings),
    )


async def post_service(request: Request) -> PostService:
    """The posts service over the request's session, taken directly rather than through
    SessionDep: FastAPI resolves each dependency anew on every request (about 20 us), and the
    posts routes are the most requested."""
    return make_post_service(await request_session(request), request.app.state.inkwell.settings)


PostServiceDep = Annotated[PostService, Depends(post_service)]


async def preview_links(request: Request) -> PreviewLinks:
    return PreviewLinks(await request_session(request))


PreviewLinksDep = Annotated[PreviewLinks, Depends(preview_links)]
