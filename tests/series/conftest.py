"""Fixtures of the series tests: the posts tests' signed-in users."""

from __future__ import annotations

from tests.posts.conftest import (  # noqa: F401 - shared fixtures
    admin,
    alice,
    bob,
    moderator,
    sql_statements,
)
