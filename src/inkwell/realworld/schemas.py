"""Request and response bodies of the RealWorld (Conduit) API, named as its contract names them.

Field constraints are Inkwell's own (the same annotated types as /api/v1), so the services
never see input that /api/v1 would refuse. Unknown fields are ignored, not refused: front ends
differ in what they send back (some send the whole article), and nothing unknown is applied.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from inkwell.auth.schemas import PasswordAttempt
from inkwell.comments.schemas import Content as CommentBody
from inkwell.core.schemas import StorableInput
from inkwell.core.text import Stripped, storable
from inkwell.posts.schemas import MAX_TAGS, Content, TagName, Title
from inkwell.users.schemas import Bio, Email, ImageUrl, Password, Username


def conduit_time(value: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a `Z`: `2026-11-22T06:49:04.123Z`."""
    # isoformat pads the year to four digits (strftime("%Y") does not everywhere), truncates
    # to milliseconds, and in UTC ends with "+00:00"; it is C, a third of formatting by hand.
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


ConduitTime = Annotated[
    datetime,
    PlainSerializer(conduit_time, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _given(value: Any) -> Any:
    """RealWorld's rule for a field that is sent: not null and not empty ("can't be blank")."""
    if value is None or value == "":
        raise PydanticCustomError("blank", "can't be blank")
    return value


Given = BeforeValidator(_given)
# None only as the default of a field that was not sent: the document shows no null for it.
Unset = SkipJsonSchema[None]


Description = Annotated[str, Stripped(max_length=500, min_length=1), AfterValidator(storable)]
LoginText = Annotated[str, StringConstraints(min_length=1, max_length=320)]
TagNames = Annotated[list[TagName], Field(max_length=MAX_TAGS)]


class ConduitInput(StorableInput):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)


class ConduitOutput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# Requests


class ConduitLoginUser(ConduitInput):
    email: Annotated[LoginText, Given]
    password: Annotated[PasswordAttempt, Given]


class ConduitLoginRequest(ConduitInput):
    user: ConduitLoginUser


class ConduitNewUser(ConduitInput):
    username: Annotated[Username, Given]
    email: Annotated[Email, Given]
    password: Annotated[Password, Given]


class ConduitNewUserRequest(ConduitInput):
    user: ConduitNewUser


class ConduitUpdateUser(ConduitInput):
    """Only the fields sent change; a null or empty `bio` or `image` removes it (the service's
    rule), a null or empty `email`, `username` or `password` is refused."""

    email: Annotated[Email | Unset, Given] = None
    username: Annotated[Username | Unset, Given] = None
    password: Annotated[Password | Unset, Given] = None
    bio: Bio | None = None
    image: ImageUrl | None = None


class ConduitUpdateUserRequest(ConduitInput):
    user: ConduitUpdateUser


class ConduitNewArticle(ConduitInput):
    title: Title
    description: Description
    body: Content
    tag_list: TagNames = Field(default_factory=list)


class ConduitNewArticleRequest(ConduitInput):
    article: ConduitNewArticle


class ConduitUpdateArticle(ConduitInput):
    """Only the fields sent change; none may be null (the contract types none as nullable).
    A new title gives a new slug."""

    title: Annotated[Title | Unset, Given] = None
    description: Annotated[Description | Unset, Given] = None
    body: Annotated[Content | Unset, Given] = None
    tag_list: Annotated[TagNames | Unset, Given] = None


class ConduitUpdateArticleRequest(ConduitInput):
    article: ConduitUpdateArticle


class ConduitNewComment(ConduitInput):
    body: CommentBody


class ConduitNewCommentRequest(ConduitInput):
    comment: ConduitNewComment


# Responses


class ConduitUser(ConduitOutput):
    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


class ConduitUserResponse(ConduitOutput):
    user: ConduitUser


class ConduitProfile(ConduitOutput):
    username: str
    bio: str | None
    image: str | None
    following: bool


class ConduitProfileResponse(ConduitOutput):
    profile: ConduitProfile


class ConduitArticleSummary(ConduitOutput):
    """An article in a list: everything but the body."""

    slug: str
    title: str
    description: str
    tag_list: list[str]
    created_at: ConduitTime
    updated_at: ConduitTime
    favorited: bool
    favorites_count: int
    author: ConduitProfile


class ConduitArticle(ConduitArticleSummary):
    body: str


class ConduitArticleResponse(ConduitOutput):
    article: ConduitArticle


class ConduitArticleList(ConduitOutput):
    articles: list[ConduitArticleSummary]
    articles_count: int


class ConduitComment(ConduitOutput):
    id: int
    created_at: ConduitTime
    updated_at: ConduitTime
    body: str
    author: ConduitProfile


class ConduitCommentResponse(ConduitOutput):
    comment: ConduitComment


class ConduitCommentList(ConduitOutput):
    comments: list[ConduitComment]


class ConduitTags(ConduitOutput):
    tags: list[str]


class ConduitErrorBody(BaseModel):
    """Every RealWorld error: `{"errors": {"<field or resource>": ["<message>"]}}`."""

    errors: dict[str, list[str]]
