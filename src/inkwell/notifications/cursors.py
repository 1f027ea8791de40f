"""Opaque keyset cursors of the notification list: base64 of (updated_at, id) of a page's
last notification."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from inkwell.notifications.exceptions import InvalidCursor


def encode_cursor(updated_at: datetime, notification_id: uuid.UUID) -> str:
    payload = json.dumps(["n", updated_at.isoformat(), str(notification_id)])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (updated_at, id) a cursor points after; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, updated_at, notification_id = json.loads(raw)
        when, key = datetime.fromisoformat(updated_at), uuid.UUID(notification_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if tag != "n" or when.tzinfo is None:
        raise InvalidCursor
    return when, key
