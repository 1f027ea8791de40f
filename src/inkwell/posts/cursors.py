"""Opaque keyset cursors: base64 of (sort, published_at, id) of the last post of a page."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from inkwell.posts.exceptions import InvalidCursor
from inkwell.posts.records import PostState


def encode_cursor(post: PostState, sort: str) -> str:
    published_at = post.published_at.isoformat() if post.published_at else ""
    payload = json.dumps([sort, published_at, str(post.id)])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, uuid.UUID]:
    """The (published_at, id) a cursor points after; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, published_at, post_id = json.loads(raw)
        when, key = datetime.fromisoformat(published_at), uuid.UUID(post_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if cursor_sort != sort or when.tzinfo is None:
        raise InvalidCursor
    return when, key
