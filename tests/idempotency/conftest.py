"""Fixtures of the idempotency-key tests: the posts tests' signed-in users."""

from tests.posts.conftest import admin, alice, bob  # noqa: F401 - shared fixtures
