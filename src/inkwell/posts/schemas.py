"""Request and response models of the posts domain."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from inkwell.core.schemas import NOT_NULL, InputModel, OutputModel, Page, UTCDateTime
from inkwell.core.slugs import SLUG_PATTERN
from inkwell.core.text import Stripped, storable
from inkwell.media.schemas import Cover
from inkwell.models.post import PostReview, PostStatus
from inkwell.posts.diffs import DiffFormat, VersionDiff
from inkwell.posts.records import PostPage, PostRecord, VersionRecord
from inkwell.posts.seo import META_DESCRIPTION_CHARS, META_TITLE_CHARS, PageLinks, seo_fields
from inkwell.users.schemas import USERNAME_PATTERN, PublicProfile

MAX_CONTENT_CHARS = 200_000
MAX_METADATA_BYTES = 16_384
MAX_CONTENT_JSON_BYTES = 262_144
MAX_TAGS = 10
MAX_AUTHORS = 10
# Rich-text documents (ProseMirror, Lexical, Slate) nest a few levels per list or quote; 64
# holds any real one, and stays far below the 255 at which serialising the response fails.
MAX_JSON_DEPTH = 64


def json_depth(value: Any) -> int:
    """How many objects and arrays deep a decoded JSON value nests (a scalar is 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _check_depth(value: Any) -> Any:
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"must nest at most {MAX_JSON_DEPTH} levels of objects and arrays")
    return value


def _check_json(value: Any, limit: int) -> Any:
    _check_depth(value)
    encoded = json.dumps(value, default=str)
    if "\\u0000" in encoded:
        raise ValueError("must not contain NUL characters")
    if len(encoded) > limit:
        raise ValueError(f"must be at most {limit} bytes of JSON")
    return value


def _json_limited(limit: int) -> AfterValidator:
    return AfterValidator(lambda value: _check_json(value, limit))


_NO_NUL = AfterValidator(storable)
SafeText = Annotated[str, _NO_NUL]
Title = Annotated[str, Stripped(max_length=200, min_length=1), _NO_NUL]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]
Summary = Annotated[str, Stripped(max_length=500), _NO_NUL]
Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS), _NO_NUL]
TagName = Annotated[str, Stripped(max_length=50, min_length=1), _NO_NUL]
TagSlug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
SearchText = Annotated[str, StringConstraints(max_length=200), _NO_NUL]
ContentJson = Annotated[dict[str, Any], _json_limited(MAX_CONTENT_JSON_BYTES)]
Sort = Literal["newest", "oldest", "popular", "relevance"]


class PostMetadata(BaseModel):
    """Known keys are checked; any other key a client stores is kept as given."""

    model_config = ConfigDict(extra="allow")

    canonical_url: HttpUrl | None = None
    seo_title: Annotated[str, Field(max_length=200), _NO_NUL] | None = None
    seo_description: Annotated[str, Field(max_length=500), _NO_NUL] | None = None
    cover_image: HttpUrl | None = None
    # Search and sharing (posts/seo.py has the defaults used when a key is missing).
    meta_title: (
        Annotated[str, Stripped(max_length=META_TITLE_CHARS, min_length=1), _NO_NUL] | None
    ) = None
    meta_description: (
        Annotated[str, Stripped(max_length=META_DESCRIPTION_CHARS, min_length=1), _NO_NUL] | None
    ) = None
    og_image_url: HttpUrl | None = None
    twitter_card: Literal["summary", "summary_large_image"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shallow(cls, data: Any) -> Any:
        return _check_depth(data)

    @model_validator(mode="after")
    def _bounded(self) -> PostMetadata:
        _check_json(self.model_dump(mode="json"), MAX_METADATA_BYTES)
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _not_in_review(status: PostStatus) -> PostStatus:
    if status == PostStatus.PENDING_REVIEW:
        raise ValueError("a post goes into review through POST /api/v1/posts/{id}/submit")
    return status


# The statuses a client may set directly (the OpenAPI document lists only these);
# `pending_review` is reached by submitting.
WritableStatus = Annotated[
    PostStatus,
    AfterValidator(_not_in_review),
    WithJsonSchema(
        {"type": "string", "enum": [s.value for s in PostStatus if s != PostStatus.PENDING_REVIEW]}
    ),
]


class PostCreate(InputModel):
    title: Title
    content_raw: Content
    slug: Slug | None = None
    summary: Summary | None = None
    status: WritableStatus = PostStatus.DRAFT
    published_at: UTCDateTime | None = None
    tags: Annotated[list[TagName], Field(max_length=MAX_TAGS)] = Field(default_factory=list)
    content_json: ContentJson | None = None
    metadata: PostMetadata | None = None
    allow_comments: StrictBool = True
    moderate_comments: StrictBool = False
    cover_media_id: uuid.UUID | None = Field(
        default=None, description="One of the author's ready uploads as the cover image"
    )


class PostUpdate(InputModel):
    """Partial update: only the fields sent change."""

    title: Annotated[Title | None, NOT_NULL] = None
    content_raw: Annotated[Content | None, NOT_NULL] = None
    slug: Slug | None = None
    summary: Summary | None = None
    status: Annotated[WritableStatus | None, NOT_NULL] = None
    published_at: UTCDateTime | None = None
    tags: Annotated[list[TagName] | None, Field(max_length=MAX_TAGS), NOT_NULL] = None
    content_json: ContentJson | None = None
    metadata: PostMetadata | None = None
    allow_comments: Annotated[StrictBool | None, NOT_NULL] = None
    moderate_comments: Annotated[StrictBool | None, NOT_NULL] = None
    cover_media_id: uuid.UUID | None = Field(
        default=None, description="One of the author's ready uploads as the cover; null: none"
    )

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> PostUpdate:
        for name in (
            "title",
            "content_raw",
            "status",
            "tags",
            "allow_comments",
            "moderate_comments",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class PostListParams(BaseModel):
    """Query parameters of `GET /posts`."""

    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    author: Username | None = None
    tag: Annotated[list[TagSlug], Field(max_length=5)] = Field(default_factory=list)
    liked_by: Username | None = None
    q: SearchText | None = None
    published_after: UTCDateTime | None = None
    published_before: UTCDateTime | None = None
    sort: Sort = "newest"
    cursor: Annotated[str, Field(max_length=300)] | None = None
    featured: bool = Field(default=False, description="true: only featured posts")


class ApproveRequest(InputModel):
    publish_at: UTCDateTime | None = Field(
        default=None, description="A future time schedules the post; none or a past time publishes"
    )


class ChangesRequest(InputModel):
    note: Annotated[str, Stripped(max_length=5000, min_length=1), _NO_NUL]


class AuthorsUpdate(InputModel):
    """The post's authors in order, by username; the first becomes the primary author."""

    authors: Annotated[
        list[Username],
        Field(min_length=1, max_length=MAX_AUTHORS),
    ]

    @model_validator(mode="after")
    def _distinct(self) -> AuthorsUpdate:
        if len({name.lower() for name in self.authors}) != len(self.authors):
            raise ValueError("authors must not repeat")
        return self


class ReviewView(OutputModel):
    """An editor's decision on a post in review."""

    id: uuid.UUID
    outcome: Literal["approved", "changes_requested"]
    note: str | None
    reviewer: str | None = Field(description="The editor's username (null: account removed)")
    created_at: UTCDateTime

    @classmethod
    def from_review(cls, review: PostReview, reviewer: str | None) -> ReviewView:
        return cls.model_validate(
            {
                "id": review.id,
                "outcome": review.outcome,
                "note": review.note,
                "reviewer": reviewer,
                "created_at": review.created_at,
            }
        )


class TagRef(OutputModel):
    name: str
    slug: str


class PostSummary(OutputModel):
    """A post in a list: the summary, not the content."""

    id: uuid.UUID
    slug: str
    title: str
    summary: str
    status: PostStatus
    published_at: UTCDateTime | None
    reading_time: int
    metadata: dict[str, Any]
    author: PublicProfile
    authors: list[PublicProfile] = Field(
        description="Every author in order; the first is the primary author (`author`)"
    )
    tags: list[TagRef]
    comments_count: int
    allow_comments: bool
    moderate_comments: bool
    likes_count: int
    bookmarks_count: int
    views_count: int
    liked_by_me: bool = False
    bookmarked_by_me: bool = False
    cover: Cover | None = None
    featured: bool = False
    featured_at: UTCDateTime | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime

    @classmethod
    def from_record(cls, record: PostRecord, **extra: Any) -> Any:
        return cls.model_validate({**summary_fields(record), **extra})


def summary_fields(record: PostRecord) -> dict[str, Any]:
    """A post's summary fields, to validate as part of a larger model in one call."""
    post = record.post
    return {
        "id": post.id,
        "slug": post.slug,
        "title": post.title,
        "summary": post.summary,
        "status": post.status,
        "published_at": post.published_at,
        "reading_time": post.reading_time,
        "metadata": post.meta,
        "author": record.author,
        "authors": [record.author, *record.coauthors],
        "tags": record.tags,
        "comments_count": post.comments_count,
        "allow_comments": post.allow_comments,
        "moderate_comments": post.moderate_comments,
        "likes_count": post.likes_count,
        "bookmarks_count": post.bookmarks_count,
        "views_count": post.views_count,
        "liked_by_me": record.liked_by_me,
        "bookmarked_by_me": record.bookmarked_by_me,
        "cover": post.cover,
        "featured": post.featured_at is not None,
        "featured_at": post.featured_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
    }


class SeriesNeighbour(OutputModel):
    slug: str
    title: str


class SeriesPlace(OutputModel):
    """The post's series and its place in it, among the series' posts anyone may read."""

    id: uuid.UUID
    slug: str
    title: str
    position: int = Field(description="1 for the first post")
    count: int
    previous: SeriesNeighbour | None
    next: SeriesNeighbour | None


class Seo(OutputModel):
    """The effective values: the post's metadata, else defaults from the post."""

    title: str = Field(description="`metadata.meta_title`, else the title (70 characters)")
    description: str = Field(description="`metadata.meta_description`, else the summary")
    canonical_url: str = Field(description="`metadata.canonical_url`, else the post's page")
    image_url: str | None = Field(description="`metadata.og_image_url`, else the cover")
    twitter_card: Literal["summary", "summary_large_image"]


class _Tags(OutputModel):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True, validate_by_alias=True)


class OpenGraph(_Tags):
    """Open Graph tags, keyed by their `property` names."""

    type: Literal["article"] = Field(alias="og:type")
    title: str = Field(alias="og:title")
    description: str = Field(alias="og:description")
    url: str = Field(alias="og:url")
    image: str | None = Field(alias="og:image")
    published_time: UTCDateTime | None = Field(alias="article:published_time")
    modified_time: UTCDateTime = Field(alias="article:modified_time")
    author: str = Field(alias="article:author")
    tag: list[str] = Field(alias="article:tag")


class TwitterCard(_Tags):
    """Twitter (X) card tags, keyed by their `name`s."""

    card: Literal["summary", "summary_large_image"] = Field(alias="twitter:card")
    title: str = Field(alias="twitter:title")
    description: str = Field(alias="twitter:description")
    image: str | None = Field(alias="twitter:image")


class PostView(PostSummary):
    """One post: rendered HTML for everyone, the Markdown source for its author."""

    content_html: str
    content_raw: str | None
    content_json: dict[str, Any] | None
    version: int
    series: SeriesPlace | None = None
    seo: Seo
    open_graph: OpenGraph
    twitter: TwitterCard

    @classmethod
    def from_post(cls, record: PostRecord, links: PageLinks) -> PostView:
        post = record.post
        view: PostView = cls.from_record(
            record,
            content_html=post.content_html,
            content_json=post.content_json,
            content_raw=post.content_raw if record.show_raw else None,
            version=post.version,
            series=record.series,
            **seo_fields(record, links),
        )
        return view


class SearchHit(PostSummary):
    snippet: str
    rank: float


class PostList(Page[PostSummary]):
    """A page of posts. `total` stops at 1,000; `total_is_exact` is false when it did."""

    next_cursor: str | None = None
    total_is_exact: bool = True

    @classmethod
    def from_page(cls, page: PostPage) -> PostList:
        # Plain dicts: the whole page is validated in one call, not item by item.
        items = [summary_fields(r) for r in page.items]
        return cls.of(page, items, next_cursor=page.next_cursor, total_is_exact=page.total_is_exact)


class SearchResults(Page[SearchHit]):
    """Search hits, best first. A broad query ranks only its newest 1,000 matches: `total`
    stops at 1,000 and `total_is_exact` is false when more posts matched."""

    total_is_exact: bool = True

    @classmethod
    def from_page(cls, page: PostPage) -> SearchResults:
        items = [
            summary_fields(r) | {"snippet": r.snippet or "", "rank": r.rank or 0.0}
            for r in page.items
        ]
        return cls.of(page, items, total_is_exact=page.total_is_exact)


class VersionSummary(OutputModel):
    version: int
    title: str
    summary: str
    editor: str | None
    created_at: UTCDateTime

    @classmethod
    def from_record(cls, record: VersionRecord, **extra: Any) -> Any:
        row = record.version
        return cls.model_validate(
            {
                "version": row.version,
                "title": row.title,
                "summary": row.summary,
                "editor": record.editor,
                "created_at": row.created_at,
                **extra,
            }
        )


class VersionView(VersionSummary):
    content_raw: str
    metadata: dict[str, Any]

    @classmethod
    def from_version(cls, record: VersionRecord) -> VersionView:
        view: VersionView = cls.from_record(
            record, content_raw=record.version.content_raw, metadata=record.version.meta
        )
        return view


class TextChange(OutputModel):
    """A short field in both versions."""

    changed: bool
    before: str
    after: str

    @classmethod
    def of(cls, before: str, after: str) -> TextChange:
        return cls(changed=before != after, before=before, after=after)


class DiffSegment(OutputModel):
    """A run of the content: `equal` in both versions, `delete` only in the older one,
    `insert` only in the newer one."""

    op: Literal["equal", "insert", "delete"]
    text: str


class ContentDiff(OutputModel):
    """The content's changes, in the format asked for (the other is null)."""

    changed: bool
    unified: str | None = Field(default=None, description="`diff -u` of the lines (format=unified)")
    words: list[DiffSegment] | None = Field(
        default=None, description="Runs of equal, deleted and inserted text (format=words)"
    )


class MetadataChange(OutputModel):
    """A metadata key added (before is null), removed (after is null) or changed."""

    key: str
    before: Any = None
    after: Any = None


class VersionDiffView(OutputModel):
    format: DiffFormat
    before: VersionSummary
    after: VersionSummary
    title: TextChange
    summary: TextChange
    content: ContentDiff
    metadata: list[MetadataChange]

    @classmethod
    def from_diff(cls, diff: VersionDiff) -> VersionDiffView:
        old, new = diff.before.version, diff.after.version
        return cls(
            format=diff.format,
            before=VersionSummary.from_record(diff.before),
            after=VersionSummary.from_record(diff.after),
            title=TextChange.of(old.title, new.title),
            summary=TextChange.of(old.summary, new.summary),
            content=ContentDiff(
                changed=old.content_raw != new.content_raw,
                unified=diff.unified,
                words=(
                    None
                    if diff.words is None
                    else [DiffSegment(op=s.op, text=s.text) for s in diff.words]
                ),
            ),
            metadata=[
                MetadataChange(key=c.key, before=c.before, after=c.after) for c in diff.metadata
            ],
        )


class PreviewLinkCreate(InputModel):
    expires_in_hours: int | None = Field(
        default=None, ge=1, le=8760, description="Hours until the link stops working; none: never"
    )


class PreviewLinkView(OutputModel):
    id: uuid.UUID
    created_at: UTCDateTime
    expires_at: UTCDateTime | None
    revoked_at: UTCDateTime | None


class PreviewLinkCreated(PreviewLinkView):
    token: str = Field(description="Shown only this once; only its hash is kept")
    url: str = Field(description="GET it to read the post, signed in or not")
