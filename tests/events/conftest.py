"""Fixtures of the events tests: the signed-in users of the posts tests."""

from __future__ import annotations

from tests.posts.conftest import alice, bob, sql_statements  # noqa: F401 - shared fixtures
