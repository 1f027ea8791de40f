"""Who may do what, per role: a table over every role and action (posts/policy.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from inkwell.models.post import Post, PostStatus
from inkwell.models.user import Role, User
from inkwell.posts.policy import (
    can_edit,
    can_moderate,
    can_review,
    can_see,
    can_set_authors,
    can_submit,
    may_publish,
    moderates_every_post,
)

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
ROLES = (Role.CONTRIBUTOR, Role.AUTHOR, Role.MODERATOR, Role.EDITOR, Role.ADMIN)


def _user(role: Role) -> User:
    return User(id=uuid.uuid4(), username=role.value, role=role)


def _post(author: User, status: PostStatus = PostStatus.DRAFT) -> Post:
    published = NOW if status == PostStatus.PUBLISHED else None
    return Post(id=uuid.uuid4(), author_id=author.id, status=status, published_at=published)


def _own(status: PostStatus) -> Callable[[User], bool]:
    return lambda user: can_edit(_post(user, status), user)


def _others(check: Callable[[Post, User], bool], status: PostStatus) -> Callable[[User], bool]:
    return lambda user: check(_post(_user(Role.AUTHOR), status), user)


D, P, R = PostStatus.DRAFT, PostStatus.PUBLISHED, PostStatus.PENDING_REVIEW
# Expected answers in ROLES order: contributor, author, moderator, editor, admin.
ACTIONS: dict[str, tuple[Callable[[User], bool], tuple[bool, ...]]] = {
    "create a draft (edit own draft)": (_own(D), (True, True, True, True, True)),
    "publish, schedule, unpublish": (may_publish, (False, True, True, True, True)),
    "submit own draft": (lambda u: can_submit(_post(u), u), (True, True, True, True, True)),
    "submit another's draft": (_others(can_submit, D), (False, False, False, False, False)),
    "approve or request changes": (can_review, (False, False, False, True, True)),
    "edit own published post": (_own(P), (False, True, True, True, True)),
    "edit own post in review": (_own(R), (False, True, True, True, True)),
    "edit (and delete) another's post": (_others(can_edit, P), (False, False, False, True, True)),
    "see another's draft": (
        lambda u: can_see(_post(_user(Role.AUTHOR)), u, NOW),
        (False, False, True, True, True),
    ),
    "moderate comments of another's post": (
        _others(can_moderate, P),
        (False, False, True, True, True),
    ),
    "moderate comments of own post": (
        lambda u: can_moderate(_post(u, P), u),
        (True, True, True, True, True),
    ),
    "moderate every post": (moderates_every_post, (False, False, True, True, True)),
    "set another's authors": (_others(can_set_authors, D), (False, False, False, True, True)),
    "set own authors": (lambda u: can_set_authors(_post(u), u), (True, True, True, True, True)),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_and_action(role: Role, action: str) -> None:
    check, expected = ACTIONS[action]
    assert check(_user(role)) is expected[ROLES.index(role)]


def test_a_coauthor_sees_and_edits_a_draft_a_stranger_does_not() -> None:
    primary, other = _user(Role.AUTHOR), _user(Role.AUTHOR)
    draft = _post(primary)
    assert not can_see(draft, other, NOW)
    assert not can_edit(draft, other)
    assert can_see(draft, other, NOW, coauthor=True)
    assert can_edit(draft, other, coauthor=True)
    assert can_submit(draft, other, coauthor=True)
    assert not can_set_authors(draft, other)  # only the primary author among the authors


def test_a_contributor_coauthor_edits_only_drafts() -> None:
    contributor = _user(Role.CONTRIBUTOR)
    published = _post(_user(Role.AUTHOR), P)
    assert can_edit(_post(_user(Role.AUTHOR)), contributor, coauthor=True)
    assert not can_edit(published, contributor, coauthor=True)
