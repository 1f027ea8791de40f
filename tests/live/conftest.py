"""Fixtures of the live tests: committed accounts and a post (the app under test runs in
servers of its own, so nothing can stay inside the test's transaction)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from inkwell.core.state import AppState
from inkwell.models.user import User
from inkwell.posts.records import PostRow
from tests.conftest import make_settings
from tests.factories import create_post, create_user, signed_in_headers
from tests.security.live_server import live_server_on

ALLOWED_ORIGIN = "https://blog.example.com"


@dataclass
class Account:
    user: User
    headers: dict[str, str]


@dataclass
class World:
    alice: Account  # writes the post: its moderator
    bob: Account
    post: PostRow
    draft: PostRow

    @property
    def channel(self) -> str:
        return f"post:{self.post.id}"


@pytest.fixture
async def world(committing_state: AppState) -> World:
    async with committing_state.sessionmaker() as session:
        alice = await create_user(session)
        bob = await create_user(session)
        post = await create_post(session, alice)
        draft = await create_post(session, alice, status="draft")
    return World(
        alice=Account(alice, await signed_in_headers(committing_state, alice)),
        bob=Account(bob, await signed_in_headers(committing_state, bob)),
        post=post,
        draft=draft,
    )


@pytest.fixture
def serve(database_url: str, committing_state: AppState) -> Iterator[Any]:
    """Start the app in this process (a thread of its own) with settings for the test.

    It depends on `committing_state` so it stops before that fixture empties the tables: a
    server still running would register its outbox consumer again in the emptied database.
    """
    servers: list[Any] = []

    def start(*, send_buffer: int | None = None, **overrides: Any) -> str:
        values = {"cors_origins": [ALLOWED_ORIGIN], "rate_limit_enabled": False, **overrides}
        listener = socket.socket()
        if send_buffer is not None:  # accepted connections inherit it (and lose autotuning)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        listener.bind(("127.0.0.1", 0))
        server = live_server_on(listener, make_settings(database_url, **values))
        servers.append(server)
        return server.__enter__()

    yield start
    for server in reversed(servers):
        server.__exit__(None, None, None)
