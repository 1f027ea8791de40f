"""Time-ordered UUIDs (version 7, RFC 9562): new rows land at the end of their indexes."""

from __future__ import annotations

import os
import time
import uuid


def uuid7(millis: int | None = None) -> uuid.UUID:
    """A random UUID whose first 48 bits are the Unix time in milliseconds (now, or the time
    given: imports make the ids of old comments from their dates, to keep threads in order)."""
    if millis is None:
        millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)
