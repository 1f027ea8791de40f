"""Who sees and who changes a post, ETag matching and cursors, without a database."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inkwell.models.post import Post, PostStatus
from inkwell.models.user import Role, User
from inkwell.posts.cursors import decode_cursor, encode_cursor
from inkwell.posts.exceptions import InvalidCursor
from inkwell.posts.policy import (
    can_edit,
    can_moderate,
    can_see,
    etag,
    etag_matches,
    is_listed,
    is_public,
)

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
AUTHOR = User(id=uuid.uuid4(), username="author", role=Role.AUTHOR)
OTHER = User(id=uuid.uuid4(), username="other", role=Role.AUTHOR)
MODERATOR = User(id=uuid.uuid4(), username="mod", role=Role.MODERATOR)
ADMIN = User(id=uuid.uuid4(), username="admin", role=Role.ADMIN)


def post(status: PostStatus, published_at: datetime | None = None, deleted: bool = False) -> Post:
    return Post(
        id=uuid.uuid4(),
        author_id=AUTHOR.id,
        status=status,
        published_at=published_at,
        deleted_at=NOW if deleted else None,
        version=3,
    )


@pytest.mark.parametrize(
    ("subject", "public", "listed"),
    [
        (post(PostStatus.DRAFT), False, False),
        (post(PostStatus.PUBLISHED, NOW - timedelta(seconds=1)), True, True),
        (post(PostStatus.PUBLISHED, NOW - timedelta(seconds=1), deleted=True), False, False),
        (post(PostStatus.SCHEDULED, NOW + timedelta(seconds=1)), False, False),
        (post(PostStatus.SCHEDULED, NOW), True, True),
        (post(PostStatus.ARCHIVED, NOW - timedelta(days=1)), True, False),
        (post(PostStatus.ARCHIVED), False, False),
    ],
)
def test_public_and_listed(subject: Post, public: bool, listed: bool) -> None:
    assert is_public(subject, NOW) is public
    assert is_listed(subject, NOW) is listed


def test_who_sees_and_who_edits_a_draft() -> None:
    draft = post(PostStatus.DRAFT)
    assert [can_see(draft, u, NOW) for u in (None, OTHER, AUTHOR, MODERATOR, ADMIN)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert [can_edit(draft, u) for u in (OTHER, AUTHOR, MODERATOR, ADMIN)] == [
        False,
        True,
        False,
        True,
    ]


def test_who_moderates_a_public_post_its_author_moderators_and_admins() -> None:
    published = post(PostStatus.PUBLISHED, NOW - timedelta(days=1))
    users = (None, OTHER, AUTHOR, MODERATOR, ADMIN)
    assert [can_moderate(published, u) for u in users] == [False, False, True, True, True]
    assert all(can_see(published, u, NOW) for u in users)


def test_etag_matching() -> None:
    subject = post(PostStatus.DRAFT)
    tag = etag(subject)
    assert tag == f'"{subject.id}-3"'
    assert etag_matches(tag, subject)
    assert etag_matches(f'"a", W/{tag}', subject)
    assert etag_matches("*", subject)
    assert not etag_matches(None, subject)
    assert not etag_matches(f'"{subject.id}-2"', subject)


def test_cursor_round_trip_and_refusals() -> None:
    subject = post(PostStatus.PUBLISHED, NOW)
    cursor = encode_cursor(subject, "newest")
    assert decode_cursor(cursor, "newest") == (NOW, subject.id)
    for bad, sort in (
        (cursor, "oldest"),
        ("!!!", "newest"),
        ("bm90IGpzb24", "newest"),
        ("WzEsMiwzXQ", "newest"),
        ("", "newest"),
    ):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, sort)


@given(st.text(max_size=300))
def test_any_cursor_text_is_decoded_or_refused(text: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_cursor(text, "newest")
