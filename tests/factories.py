"""Typed helpers that make test data through the same code paths as the app."""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.auth.dependencies import make_auth_service
from inkwell.auth.service import ClientInfo
from inkwell.core.config import Settings
from inkwell.core.security import argon2_hasher
from inkwell.core.state import AppState
from inkwell.events.outbox import Outbox
from inkwell.models.comment import Comment
from inkwell.models.user import Role, User
from inkwell.posts.records import PostRow, PostState

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def outbox(session: AsyncSession) -> Outbox:
    """An outbox with the default event settings (tests that check them set their own)."""
    return Outbox(session, Settings(_env_file=None, env="test"))


@lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    return argon2_hasher().hash(password)


class FastHasher:
    """Hashes the seed's shared password once per run (the seed hashes through a hasher)."""

    async def hash(self, password: str) -> str:
        return password_hash(password)


async def create_user(
    session: AsyncSession,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: Role = Role.AUTHOR,
    is_active: bool = True,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(
        username=username,
        email=email or f"{username.lower()}@example.com",
        password_hash=password_hash(password),
        role=role,
        is_active=is_active,
    )
    session.add(user)
    await session.flush()
    await session.commit()
    return user


async def login(
    client: httpx.AsyncClient, login: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    """Sign in through the API; returns the token response."""
    response = await client.post("/api/v1/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def auth_headers(
    client: httpx.AsyncClient, user: User, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    """Headers of `user` signed in through POST /api/v1/auth/login, password checked."""
    tokens = await login(client, user.username, password)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# Where a request of the test client comes from, as the app sees it.
TEST_CLIENT = ClientInfo(ip="127.0.0.1", user_agent=f"python-httpx/{httpx.__version__}")


async def signed_in_headers(state: AppState, user: User) -> dict[str, str]:
    """Headers of `user` signed in to /api/v1, from a login session opened as a login opens
    one once the password is checked (in a session of the app's own, as a request would).
    Checking the password (Argon2, slow on purpose) is what tests/auth and the other login
    tests are about; fixtures skip it."""
    async with state.sessionmaker() as session:
        service = make_auth_service(session, state)
        tokens = await service.start_session(user=user, client=TEST_CLIENT)
        await session.commit()
    return {"Authorization": f"Bearer {tokens.access_token}"}


async def realworld_token(state: AppState, user: User) -> str:
    """A RealWorld token of `user`, from a session opened as POST /api/users/login opens one
    once the password is checked (the RealWorld login tests check it)."""
    async with state.sessionmaker() as session:
        service = make_auth_service(session, state)
        signed_in = await service.start_realworld_session(user=user, client=TEST_CLIENT)
        await session.commit()
    return signed_in.token


async def create_post(
    session: AsyncSession,
    author: User,
    *,
    title: str | None = None,
    content: str = "Some **Markdown** content about testing.",
    status: str = "published",
    tags: list[str] | None = None,
    **fields: Any,
) -> PostRow:
    """A post written through PostService.create, as the API would (as it reads back)."""
    from inkwell.posts.repository import PostRepository  # noqa: PLC0415
    from inkwell.posts.schemas import PostCreate  # noqa: PLC0415
    from inkwell.posts.service import PostService  # noqa: PLC0415
    from inkwell.tags.repository import TagRepository  # noqa: PLC0415

    data = PostCreate.model_validate(
        {
            "title": title or f"Post {next(_counter)}",
            "content_raw": content,
            "status": status,
            "tags": tags or [],
            **fields,
        }
    )
    service = PostService(
        posts=PostRepository(session), tags=TagRepository(session), events=outbox(session)
    )
    record = await service.create(author=author, data=data)
    await session.commit()
    return record.post


async def create_comment(
    session: AsyncSession,
    post: PostState,
    author: User,
    *,
    content: str = "A *comment*.",
    parent: Comment | None = None,
    max_depth: int = 5,
) -> Comment:
    """A comment written through CommentService.create, as the API would."""
    from inkwell.blocks.repository import BlockRepository  # noqa: PLC0415
    from inkwell.comments.repository import CommentRepository  # noqa: PLC0415
    from inkwell.comments.schemas import CommentCreate  # noqa: PLC0415
    from inkwell.comments.service import CommentService  # noqa: PLC0415
    from inkwell.posts.repository import PostRepository  # noqa: PLC0415

    service = CommentService(
        comments=CommentRepository(session),
        posts=PostRepository(session),
        blocks=BlockRepository(session),
        max_depth=max_depth,
        events=outbox(session),
    )
    data = CommentCreate(content=content, parent_id=parent.id if parent else None)
    node = await service.create(post_ref=str(post.id), author=author, data=data)
    await session.commit()
    created = await session.get(Comment, node.record.comment.id)  # in the identity map: no SQL
    assert created is not None
    return created


async def follow(session: AsyncSession, follower: User, followee: User) -> None:
    """`follower` follows `followee`, written through the follows repository."""
    from inkwell.follows.repository import FollowRepository  # noqa: PLC0415

    await FollowRepository(session).add(follower.id, followee.id)
    await session.commit()


async def like(session: AsyncSession, user: User, post: PostState) -> None:
    """`user` likes `post`, with its counter, as PUT /posts/{post}/like would."""
    from inkwell.engagement.repository import EngagementRepository  # noqa: PLC0415

    repository = EngagementRepository(session)
    if await repository.mark("like", user.id, post.id):
        await repository.increment(post.id, "likes_count")
    await session.commit()
