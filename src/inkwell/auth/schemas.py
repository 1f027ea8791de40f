"""Request and response models of the auth endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from inkwell.core.schemas import InputModel, OutputModel, UTCDateTime
from inkwell.core.security import SessionKind
from inkwell.core.text import storable

# The rule for every password that is checked: any text PostgreSQL could store (no NUL),
# checked exactly as sent (no trimming). users.schemas has the rule for one that is set.
PasswordAttempt = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(storable)]
RefreshTokenStr = Annotated[str, Field(min_length=16, max_length=256)]


class LoginRequest(InputModel):
    login: Annotated[
        str, Field(min_length=1, max_length=320, description="Username or e-mail address")
    ]
    password: PasswordAttempt


class RefreshRequest(InputModel):
    refresh_token: RefreshTokenStr


class TokenResponse(OutputModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires")


class SessionView(OutputModel):
    id: uuid.UUID
    kind: SessionKind = Field(
        description="`api`: an /api/v1 login (refresh tokens); `realworld`: a RealWorld login "
        "(one token for the session's lifetime)"
    )
    created_at: UTCDateTime
    last_used_at: UTCDateTime
    expires_at: UTCDateTime
    user_agent: str | None
    ip: str | None
    current: bool = False
