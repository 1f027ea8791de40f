"""Creating, listing and revoking a user's API keys."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from inkwell.apikeys.exceptions import ApiKeyNotFound, ExpiryInPast, TooManyApiKeys
from inkwell.apikeys.repository import ApiKeyRepository
from inkwell.apikeys.schemas import ApiKeyCreate
from inkwell.core.config import Settings
from inkwell.core.security import hash_secret, new_api_key
from inkwell.models.api_key import ApiKey
from inkwell.models.user import User

log = logging.getLogger("inkwell.auth")

PREFIX_LENGTH = 12  # `ink_` and 8 characters of the secret: enough to tell keys apart


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just made, with its secret, which is never available again."""

    key: ApiKey
    secret: str


class ApiKeyService:
    def __init__(self, *, keys: ApiKeyRepository, settings: Settings) -> None:
        self.keys = keys
        self.settings = settings

    async def create(self, *, user: User, data: ApiKeyCreate) -> NewApiKey:
        """Make a key for the user; its secret is stored only as a hash."""
        if data.expires_at is not None and data.expires_at <= datetime.now(UTC):
            raise ExpiryInPast("Give an expiry in the future, or none.")
        await self.keys.lock_owner(user.id)
        limit = self.settings.api_keys_max_per_user
        if await self.keys.count_live(user.id) >= limit:
            raise TooManyApiKeys(f"A user may hold {limit} API keys; revoke one first.")
        secret = new_api_key()
        key = await self.keys.add(
            user_id=user.id,
            name=data.name,
            prefix=secret[:PREFIX_LENGTH],
            secret_hash=hash_secret(secret),
            scopes=sorted({scope.value for scope in data.scopes}),
            expires_at=data.expires_at,
        )
        log.info("api key created", extra={"user_id": str(user.id), "api_key_id": str(key.id)})
        return NewApiKey(key=key, secret=secret)

    async def list_keys(self, *, user: User) -> Sequence[ApiKey]:
        """The user's working keys, newest first (never their secrets)."""
        return await self.keys.list_live(user.id)

    async def revoke(self, *, user: User, key_id: uuid.UUID) -> None:
        """Revoke one of the user's own keys; another user's key is not found."""
        if not await self.keys.revoke(key_id, user_id=user.id):
            raise ApiKeyNotFound
        log.info("api key revoked", extra={"user_id": str(user.id), "api_key_id": str(key_id)})
