"""The comments service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.blocks.repository import BlockRepository
from inkwell.comments.repository import CommentRepository
from inkwell.comments.service import CommentService
from inkwell.core.db import SessionDep
from inkwell.core.dependencies import StateDep
from inkwell.events.outbox import Outbox
from inkwell.posts.repository import PostRepository


async def comment_service(session: SessionDep, state: StateDep) -> CommentService:
    return CommentService(
        comments=CommentRepository(session),
        posts=PostRepository(session),
        blocks=BlockRepository(session),
        max_depth=state.settings.comment_max_depth,
        events=Outbox(session, state.settings),
    )


CommentServiceDep = Annotated[CommentService, Depends(comment_service)]
