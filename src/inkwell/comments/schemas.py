"""Request and response models of the comments domain."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from inkwell.comments.records import CommentNode, CommentPage, ThreadPage
from inkwell.core.schemas import InputModel, OutputModel, Page, UTCDateTime
from inkwell.core.text import storable
from inkwell.models.comment import CommentStatus

MAX_COMMENT_CHARS = 10_000


# A comment needs one character that is not whitespace as JSON Schema patterns (ECMA-262) read
# `\s`; the document states it as this pattern, and the check below uses the same set (Python's
# str.isspace would also count U+0085 and U+001C-U+001F, which the document calls text).
NOT_BLANK = r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_VISIBLE = re.compile(NOT_BLANK)


def _not_blank(value: str) -> str:
    if not _VISIBLE.search(value):
        raise ValueError("must not be blank")
    return value


Content = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_COMMENT_CHARS),
    AfterValidator(storable),
    AfterValidator(_not_blank),
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]


class CommentCreate(InputModel):
    """A new comment (Markdown); `parent_id` makes it a reply to a comment of the same post."""

    content: Content
    parent_id: uuid.UUID | None = None


class CommentUpdate(InputModel):
    content: Content


ThreadSort = Literal["newest", "oldest"]


class ThreadParams(BaseModel):
    """Query parameters of `GET /posts/{post}/comments`."""

    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    sort: Annotated[ThreadSort, Field(description="Root comments newest or oldest first")] = (
        "newest"
    )
    # The parameter's first name, kept for clients that use it (`sort` is the name the posts
    # list uses). Not pydantic's `deprecated=`: that warns whenever the field is read.
    order: Annotated[
        ThreadSort | None,
        Field(
            description="The old name of `sort` (`sort` wins when both are sent)",
            json_schema_extra={"deprecated": True},
        ),
    ] = None
    since: Annotated[
        int | None,
        Field(
            ge=0,
            le=2**62,
            description=(
                "A live sequence number of the post's channel (docs/live.md): answer only the "
                "comments changed after it, flat, in the order of their last change; the "
                "`Live-Seq` header names the number the answer reaches"
            ),
        ),
    ] = None

    @model_validator(mode="after")
    def _order_is_sort(self) -> Self:
        if self.order is not None and "sort" not in self.model_fields_set:
            self.sort = self.order
        return self


class CommentAuthor(OutputModel):
    """The public face of a comment's author: no e-mail, no flags."""

    username: str
    display_name: str | None
    avatar_url: str | None


class CommentView(OutputModel):
    """A comment and its replies. A placeholder (`deleted`, or hidden from this reader but kept
    for its replies) has no content and no author; `content_raw` is only for the author."""

    id: uuid.UUID
    number: int
    post_id: uuid.UUID
    parent_id: uuid.UUID | None
    depth: int
    status: CommentStatus
    deleted: bool
    content_html: str | None
    content_raw: str | None
    author: CommentAuthor | None
    created_at: UTCDateTime
    updated_at: UTCDateTime
    edited_at: UTCDateTime | None
    replies: list[CommentView]

    @classmethod
    def from_node(cls, node: CommentNode) -> CommentView:
        return cls.model_validate(view_fields(node))


def view_fields(node: CommentNode) -> dict[str, Any]:
    """A comment's view as plain values, replies included: a page is validated in one call,
    which costs less than building each reply's model in turn (measured: 0.53 against 0.34 ms
    for 20 threads of 80 comments)."""
    comment, author = node.record.comment, node.record.author
    return {
        "id": comment.id,
        "number": comment.number,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "status": comment.status,
        "deleted": comment.deleted_at is not None,
        "content_html": comment.content_html if node.full else None,
        "content_raw": comment.content_raw if node.show_raw else None,
        "author": author if node.full and author else None,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "edited_at": comment.edited_at,
        "replies": [view_fields(reply) for reply in node.replies],
    }


class CommentThreads(Page[CommentView]):
    """A page of threads. `total` counts the post's visible comments (replies included);
    `threads` counts the root comments this reader can page through."""

    threads: int

    @classmethod
    def from_page(cls, page: ThreadPage) -> CommentThreads:
        return cls.model_validate(
            {
                "items": [view_fields(node) for node in page.items],
                "total": page.total,
                "threads": page.threads,
                "page": page.page,
                "page_size": page.page_size,
            }
        )


class CommentList(Page[CommentView]):
    """A flat page of comments (no replies)."""

    @classmethod
    def from_page(cls, page: CommentPage) -> CommentList:
        return cls.of(page, [CommentView.from_node(node) for node in page.items])
