"""Unsubscribe links: a signed token naming a user and the kind of notification mail they
stop (or every kind), good until the JWT secret changes.

Signed rather than stored: a link sits in every notification mail for as long as the mail is
kept, it may be used any number of times (using it twice changes nothing), and it grants only
"stop mailing me this". HMAC-SHA256 under a key derived from the JWT secret, so the token
never reveals that secret and no other token of the service verifies as one of these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass

from inkwell.core.config import Settings
from inkwell.models.notification import NotificationKind

EVERY_KIND = "all"
_SIGNATURE_BYTES = 16  # 128 bits: unforgeable, and the URL stays short


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """Who stops which mail: one kind, or every kind (None)."""

    user_id: uuid.UUID
    kind: NotificationKind | None


def _key(settings: Settings) -> bytes:
    secret = settings.jwt_secret.get_secret_value().encode()
    return hmac.new(secret, b"inkwell unsubscribe v1", hashlib.sha256).digest()


def _sign(settings: Settings, payload: bytes) -> bytes:
    return hmac.new(_key(settings), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(settings: Settings, wish: Unsubscribe) -> str:
    payload = wish.user_id.bytes + (wish.kind or EVERY_KIND).encode()
    return f"{_encode(payload)}.{_encode(_sign(settings, payload))}"


def read_unsubscribe_token(settings: Settings, token: str) -> Unsubscribe | None:
    """The wish a token signs; None for anything this service did not sign."""
    encoded, _, signature = token.partition(".")
    try:
        payload, given = _decode(encoded), _decode(signature)
    except (binascii.Error, ValueError):
        return None
    if len(payload) <= 16 or not hmac.compare_digest(given, _sign(settings, payload)):
        return None
    kind = payload[16:].decode(errors="replace")
    if kind == EVERY_KIND:
        return Unsubscribe(uuid.UUID(bytes=payload[:16]), None)
    if kind not in NotificationKind._value2member_map_:
        return None
    return Unsubscribe(uuid.UUID(bytes=payload[:16]), NotificationKind(kind))
