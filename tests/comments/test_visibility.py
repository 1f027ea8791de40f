"""Who sees which comment is declared once (comments.records): the SQL the repository filters
with agrees with ReadScope.shows for generated comments and readers, on an entity and on the
plain row a thread page reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from inkwell.comments.records import CommentRow, ReadScope
from inkwell.comments.repository import _scope_kind, _shown_to
from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.user import User
from tests.factories import create_comment, create_post, create_user

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    return {name: await create_user(session, username=f"seen_{name}") for name in ("a", "b")}


@pytest.fixture
async def subject(session: AsyncSession, people: dict[str, User]) -> Comment:
    post = await create_post(session, people["a"], title="Comments seen or not")
    return await create_comment(session, post, people["a"])


comments = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(CommentStatus)),
        "deleted_at": st.sampled_from([None, NOW]),
        "written_by": st.sampled_from(["a", "b"]),
    }
)
# A reader: anonymous, or one of the two people, who may see every status (a moderator).
readers = st.tuples(st.sampled_from([None, "a", "b"]), st.booleans())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(comment=comments, reader=readers)
async def test_the_sql_agrees_with_read_scope(
    session: AsyncSession,
    people: dict[str, User],
    subject: Comment,
    comment: dict[str, Any],
    reader: tuple[str | None, bool],
) -> None:
    writer = people[comment["written_by"]]
    await session.execute(
        update(Comment)
        .where(Comment.id == subject.id)
        .values(author_id=writer.id, status=comment["status"], deleted_at=comment["deleted_at"])
    )
    name, every_status = reader
    scope = ReadScope(viewer_id=people[name].id if name else None, every_status=every_status)
    shown = _shown_to(_scope_kind(scope), Comment, bindparam("viewer_id", type_=Uuid))
    row = (
        await session.execute(
            select(Comment, func.coalesce(shown, false()))
            .where(Comment.id == subject.id)
            .execution_options(populate_existing=True),
            {"viewer_id": scope.viewer_id},
        )
    ).one()
    stored, shown_in_sql = row
    assert scope.shows(stored) is shown_in_sql
    assert scope.shows(CommentRow.of(stored)) is shown_in_sql  # as thread pages read it
