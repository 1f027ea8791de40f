"""Request and response models of the users domain."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from inkwell.auth.schemas import PasswordAttempt
from inkwell.core.schemas import NOT_NULL, InputModel, OutputModel, UTCDateTime
from inkwell.core.text import Stripped, storable
from inkwell.models.user import Role
from inkwell.users.repository import ProfileRecord

USERNAME_PATTERN = r"^[A-Za-z0-9_-]{3,30}$"


def _lower(value: str) -> str:
    return value.lower()


Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(_lower)]
# The rule for every password that is set: any text PostgreSQL could store (no NUL), checked
# exactly as sent (no trimming); auth.schemas.PasswordAttempt is the one for a password checked.
Password = Annotated[str, Field(min_length=8, max_length=128), AfterValidator(storable)]
DisplayName = Annotated[str, Stripped(max_length=100, min_length=1)]
Bio = Annotated[str, Field(max_length=2000)]
AvatarUrl = Annotated[HttpUrl, Field(max_length=2048)]
_AVATAR_URL: TypeAdapter[HttpUrl] = TypeAdapter(AvatarUrl)


def _url_or_empty(value: str) -> str:
    if value == "":
        return value
    try:
        return str(_AVATAR_URL.validate_python(value))
    except ValidationError as error:
        raise ValueError(error.errors()[0]["msg"]) from None


# An image's URL, or "" for no image (UserService stores none for it).
ImageUrl = Annotated[
    str,
    AfterValidator(_url_or_empty),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2048},
                {"const": ""},
            ]
        }
    ),
]


class PublicProfile(OutputModel):
    """What anyone may see of an account: no e-mail, no flags."""

    username: str
    display_name: str | None
    bio: str | None
    avatar_url: str | None
    created_at: UTCDateTime


class Profile(PublicProfile):
    """A public profile page: the account, its follow counts, and whether the reader follows it."""

    followers_count: int
    following_count: int
    followed_by_me: bool

    @classmethod
    def from_record(cls, record: ProfileRecord) -> Profile:
        return cls.model_validate(
            {
                **PublicProfile.model_validate(record.user).model_dump(),
                "followers_count": record.followers_count,
                "following_count": record.following_count,
                "followed_by_me": record.followed_by_me,
            }
        )


class PrivateProfile(PublicProfile):
    """The account as its owner sees it."""

    id: uuid.UUID
    email: str
    avatar_media_id: uuid.UUID | None = Field(
        description="The upload shown as the avatar (`avatar_url` is its URL); null: none"
    )
    email_verified_at: UTCDateTime | None = Field(
        description="When the owner confirmed the address through a mailed link; null: not yet"
    )
    role: Role


class AdminUserView(PrivateProfile):
    is_active: bool


class RegisterRequest(InputModel):
    email: Email
    username: Username
    password: Password
    display_name: DisplayName | None = None


class ProfileUpdate(InputModel):
    """Partial update of one's own profile: only the fields sent change."""

    display_name: DisplayName | None = None
    bio: Bio | None = None
    avatar_url: ImageUrl | None = None
    avatar_media_id: uuid.UUID | None = Field(
        default=None, description="One of your ready uploads as the avatar; null removes it"
    )
    username: Annotated[Username | None, NOT_NULL] = None
    email: Annotated[Email | None, NOT_NULL] = None

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> ProfileUpdate:
        for name in ("username", "email"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if {"avatar_url", "avatar_media_id"} <= self.model_fields_set:
            raise ValueError("send avatar_url or avatar_media_id, not both")
        return self


class PasswordChange(InputModel):
    current_password: PasswordAttempt
    new_password: Password


class AdminUserUpdate(InputModel):
    role: Role | None = None
    is_active: StrictBool | None = None


# A token from a mailed link (43 characters as issued; anything else is simply not found).
LinkToken = Annotated[str, Field(min_length=16, max_length=256), AfterValidator(storable)]


class RegistrationAccepted(OutputModel):
    """The answer to every registration when mail reaches people, whether the address had an
    account or not: what happens next is in the message sent to it."""

    status: Literal["check_your_email"] = "check_your_email"
    detail: str = "We sent a message to the address given; follow it to continue."


class EmailVerification(InputModel):
    token: LinkToken


class PasswordResetRequest(InputModel):
    email: Email


class PasswordResetAccepted(OutputModel):
    """The same answer for every address, with an account or without."""

    status: Literal["check_your_email"] = "check_your_email"
    detail: str = "If the address has an account, a link to reset its password is on its way."


class PasswordResetConfirm(InputModel):
    token: LinkToken
    new_password: Password
