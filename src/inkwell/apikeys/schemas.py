"""Request and response models of the API-keys endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field

from inkwell.auth.scopes import Scope
from inkwell.core.schemas import InputModel, OutputModel, UTCDateTime
from inkwell.core.text import storable

KeyName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(storable)]


class ApiKeyCreate(InputModel):
    name: KeyName = Field(description="What the key is for, shown in the list")
    scopes: list[Scope] = Field(
        min_length=1, max_length=len(Scope), description="What the key may do"
    )
    expires_at: UTCDateTime | None = Field(
        default=None, description="When the key stops working (in the future); none: never"
    )


class ApiKeyView(OutputModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it by")
    scopes: list[str]
    created_at: UTCDateTime
    expires_at: UTCDateTime | None
    last_used_at: UTCDateTime | None = Field(
        description="When the key was last used (recorded at most once a minute)"
    )
    last_used_ip: str | None = Field(description="The address it was last used from")


class ApiKeyCreated(ApiKeyView):
    key: str = Field(description="The key itself (`ink_...`): shown this once, never again")
