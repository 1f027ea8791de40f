"""Fixtures of the blocks tests: the signed-in accounts of the notifications tests."""

from __future__ import annotations

from tests.notifications.conftest import (  # noqa: F401 - shared fixtures
    admin,
    alice,
    bob,
    carol,
    dave,
    post,
)
