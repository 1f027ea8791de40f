"""Redis for tests: INKWELL_TEST_REDIS_URL, required in CI, reported as a skip elsewhere."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("INKWELL_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

requires_redis = pytest.mark.skipif(
    REDIS_URL is None and not IN_CI,
    reason="set INKWELL_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the Redis tests",
)


def redis_url() -> str:
    if REDIS_URL is None:
        pytest.fail("CI must set INKWELL_TEST_REDIS_URL: Redis tests are never skipped in CI")
    return REDIS_URL
