"""Fixtures of the blocks tests: the signed-in accounts of the notifications tests."""

from __future__ import annotations

from tests.notifications.conftest import carol, dave, post  # noqa: F401 - shared fixtures
from tests.posts.conftest import admin, alice, bob  # noqa: F401 - shared fixtures
