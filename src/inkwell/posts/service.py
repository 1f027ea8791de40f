"""Post rules: authoring, publishing, visibility, revisions and the public lists."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from inkwell.core.clock import utcnow
from inkwell.core.markdown import (
    excerpt,
    highlight,
    image_sources,
    plain_text,
    reading_minutes,
    render_markdown,
    with_image_sizes,
)
from inkwell.core.queue import PUBLISH_SCHEDULED_POST, JobQueue
from inkwell.core.slugs import slugify
from inkwell.events.catalogue import (
    PostApproved,
    PostArchived,
    PostChangesRequested,
    PostCreated,
    PostDeleted,
    PostFeatured,
    PostPublished,
    PostRestored,
    PostSnapshot,
    PostSubmitted,
    PostUnfeatured,
    PostUnpublished,
    PostUpdated,
    PostWithdrawn,
)
from inkwell.events.outbox import Outbox
from inkwell.media.repository import MediaRepository
from inkwell.media.service import cover_of, sizes_of_images
from inkwell.models.post import Post, PostReview, PostStatus
from inkwell.models.user import User
from inkwell.posts.cursors import decode_cursor, encode_cursor
from inkwell.posts.diffs import DiffFormat, VersionDiff, diff
from inkwell.posts.exceptions import (
    InvalidAuthors,
    InvalidPostInput,
    InvalidTransition,
    NotEditor,
    NotPostAuthor,
    PostChanged,
    PostNotFound,
    ReviewRequired,
    SlugTaken,
    VersionNotFound,
)
from inkwell.posts.policy import (
    can_edit,
    can_feature,
    can_review,
    can_see,
    can_set_authors,
    can_submit,
    edits_every_post,
    etag_matches,
    is_author,
    may_publish,
)
from inkwell.posts.records import PostPage, PostRecord, PostRow, Redirect, VersionRecord
from inkwell.posts.refs import PostRef, resolve_post
from inkwell.posts.repository import (
    COUNT_LIMIT,
    MARK_START,
    MARK_STOP,
    SEARCH_CANDIDATES,
    Content,
    PostQuery,
    PostRepository,
)
from inkwell.posts.schemas import PostCreate, PostListParams, PostUpdate
from inkwell.tags.repository import TagRepository

SUMMARY_CHARS = 280
_SLUG_TRIES = 10
_INSERT_TRIES = 3
_KEYSET_SORTS = {"newest", "oldest"}
_SWEEP_BATCH = 500
# The fields an update can change, by their names in the API, and the post's attributes.
_TRACKED = {
    "title": "title",
    "slug": "slug",
    "summary": "summary",
    "content_raw": "content_raw",
    "content_json": "content_json",
    "metadata": "meta",
    "status": "status",
    "published_at": "published_at",
    "allow_comments": "allow_comments",
    "moderate_comments": "moderate_comments",
    "cover_media_id": "cover_media_id",
}
_Snapshot = TypeVar("_Snapshot", bound=PostSnapshot)


def _derived_summary(content_html: str) -> str:
    return excerpt(plain_text(content_html), SUMMARY_CHARS)


def _tracked(post: Post) -> dict[str, Any]:
    return {name: getattr(post, attribute) for name, attribute in _TRACKED.items()}


def _snapshot(
    kind: type[_Snapshot], record: PostRecord, actor_id: uuid.UUID, **extra: Any
) -> _Snapshot:
    """The event `kind` about a post as `record` shows it after the change."""
    post = record.post
    return kind(
        post_id=post.id,
        author_id=post.author_id,
        actor_id=actor_id,
        slug=post.slug,
        title=post.title,
        status=post.status,
        published_at=post.published_at,
        tags=[tag["slug"] for tag in record.tags],
        revision=post.version,
        **extra,
    )


_STATUS_EVENTS: dict[PostStatus, type[PostSnapshot]] = {
    PostStatus.PUBLISHED: PostPublished,
    PostStatus.DRAFT: PostUnpublished,
    PostStatus.ARCHIVED: PostArchived,
}


def _moved(before: PostStatus, record: PostRecord, actor: User) -> list[PostSnapshot]:
    """The event of a status change, if it has one (scheduling has none until its time); a
    post in review turned back into a draft was withdrawn, not unpublished."""
    kind = _STATUS_EVENTS.get(record.post.status)
    if before == PostStatus.PENDING_REVIEW and kind is PostUnpublished:
        kind = PostWithdrawn
    if kind is None or before == record.post.status:
        return []
    return [_snapshot(kind, record, actor.id)]


class PostService:
    def __init__(self, *, posts: PostRepository, tags: TagRepository, events: Outbox) -> None:
        self.posts = posts
        self.tags = tags
        self.events = events
        self.jobs = JobQueue(posts.session)
        self.media = MediaRepository(posts.session)

    # Reading

    async def read(
        self, *, id_or_slug: str, viewer: User | None, content: Content = "all"
    ) -> PostRecord | Redirect:
        """A post by id or slug if the viewer may see it; an old slug gives a Redirect.
        `content="source"` loads its Markdown source only, and not its series."""
        viewer_id = viewer.id if viewer else None
        resolved = await resolve_post(
            id_or_slug,
            by_id=lambda post_id: self.posts.get_record(post_id, viewer_id, content),
            by_slug=lambda slug: self.posts.get_record_by_slug(slug, viewer_id, content),
            slug_owner=self.posts.slug_owner,
        )
        if resolved is None:
            raise PostNotFound
        record = resolved.found
        author = viewer is not None and record.has_author(viewer.id)
        if not can_see(record.post, viewer, utcnow(), coauthor=author):
            raise PostNotFound
        if resolved.by_old_slug:
            return Redirect(slug=record.post.slug)
        if author or edits_every_post(viewer):
            return replace(record, show_raw=True)
        return record

    async def read_current(
        self, *, id_or_slug: str, viewer: User | None, content: Content = "all"
    ) -> PostRecord:
        """Like `read`, but an old slug answers the post itself instead of a Redirect."""
        found = await self.read(id_or_slug=id_or_slug, viewer=viewer, content=content)
        if isinstance(found, Redirect):
            found = await self.read(id_or_slug=found.slug, viewer=viewer, content=content)
        if isinstance(found, Redirect):  # pragma: no cover - a current slug never redirects
            raise PostNotFound
        return found

    async def visible(self, *, id_or_slug: str, viewer: User | None) -> PostRow:
        """The post by id, slug or old slug, if the viewer may see it (PostNotFound otherwise)."""
        return (await self.read_current(id_or_slug=id_or_slug, viewer=viewer)).post

    async def list_public(self, *, params: PostListParams, viewer: User | None = None) -> PostPage:
        """A page of public posts, filtered and sorted; keyset paging with a cursor."""
        q = params.q.strip() if params.q else None
        if params.sort == "relevance" and not q:
            raise InvalidPostInput("sort", "relevance needs a search query q")
        if params.cursor and params.sort not in _KEYSET_SORTS:
            raise InvalidPostInput("cursor", "cursors work with sort=newest or sort=oldest")
        after = decode_cursor(params.cursor, params.sort) if params.cursor else None
        tag_ids = await self._known_tags(params.tag)
        if tag_ids is None:
            return PostPage(items=[], total=0, page=params.page, page_size=params.page_size)
        query = PostQuery(
            now=utcnow(),
            author=params.author,
            tag_ids=tag_ids,
            liked_by=params.liked_by,
            featured=params.featured,
            q=q or None,
            published_after=params.published_after,
            published_before=params.published_before,
            sort=params.sort,
            after=after,
            limit=params.page_size,
            offset=(params.page - 1) * params.page_size,
        )
        items, total = await self.posts.list_public(query, viewer.id if viewer else None)
        next_cursor = None
        if len(items) == params.page_size and params.sort in _KEYSET_SORTS:
            next_cursor = encode_cursor(items[-1].post, params.sort)
        return PostPage(
            items=items,
            total=min(total, COUNT_LIMIT),
            page=params.page,
            page_size=params.page_size,
            next_cursor=next_cursor,
            total_is_exact=total <= COUNT_LIMIT,
        )

    async def list_slice(
        self,
        *,
        limit: int,
        offset: int,
        author: str | None = None,
        tag: str | None = None,
        liked_by: str | None = None,
        viewer: User | None = None,
    ) -> PostPage:
        """Public posts newest first, `offset` skipped, with the exact number of matches.

        `tag` is a tag's name or slug; `liked_by` a username whose likes the posts must be.
        """
        tag_slug = slugify(tag, max_length=60) if tag is not None else None
        tag_ids = await self._known_tags([tag_slug] if tag_slug is not None else [])
        page = offset // limit + 1
        if tag_ids is None:
            return PostPage(items=[], total=0, page=page, page_size=limit)
        query = PostQuery(
            now=utcnow(),
            author=author,
            tag_ids=tag_ids,
            liked_by=liked_by,
            limit=limit,
            offset=offset,
            exact_total=True,
        )
        items, total = await self.posts.list_public(query, viewer.id if viewer else None)
        return PostPage(items=items, total=total, page=page, page_size=limit)

    async def _known_tags(self, slugs: list[str]) -> list[uuid.UUID] | None:
        """The ids of these tags; None when one is unknown (then nothing can match them all)."""
        tag_ids = await self.tags.ids_by_slug(slugs) if slugs else {}
        if len(tag_ids) < len(set(slugs)):
            return None
        return list(tag_ids.values())

    async def search(
        self, *, q: str, page: int, page_size: int, viewer: User | None = None
    ) -> PostPage:
        """Public posts matching a web-search query, best first, with highlighted snippets.

        Broad queries rank only their newest SEARCH_CANDIDATES matches, so `total` stops there
        (or at COUNT_LIMIT, as lists do) and `total_is_exact` says whether it did.
        """
        if not q.strip():
            return PostPage(items=[], total=0, page=page, page_size=page_size)
        query = PostQuery(now=utcnow(), q=q, limit=page_size, offset=(page - 1) * page_size)
        items, total = await self.posts.search(query, viewer.id if viewer else None)
        hits = [
            replace(r, snippet=highlight(r.snippet or "", MARK_START, MARK_STOP)) for r in items
        ]
        reachable = min(COUNT_LIMIT, SEARCH_CANDIDATES)
        return PostPage(
            items=hits,
            total=min(total, reachable),
            page=page,
            page_size=page_size,
            total_is_exact=total <= reachable,
        )

    async def list_own(
        self, *, user: User, status: PostStatus | None, page: int, page_size: int
    ) -> PostPage:
        """The caller's own live posts in every status (or one), newest first."""
        items, total = await self.posts.list_by_author(
            user.id, status=status, limit=page_size, offset=(page - 1) * page_size
        )
        return PostPage(items=items, total=total, page=page, page_size=page_size)

    # Writing

    async def create(self, *, author: User, data: PostCreate) -> PostRecord:
        """Write a new post with its tags and its first version (a draft unless told otherwise)."""
        if data.status != PostStatus.DRAFT and not may_publish(author):
            raise ReviewRequired
        html = render_markdown(data.content_raw)
        text = plain_text(html)
        post = Post(
            author_id=author.id,
            title=data.title,
            content_raw=data.content_raw,
            content_html=html,
            summary=data.summary or excerpt(text, SUMMARY_CHARS),
            reading_time=reading_minutes(text),
            content_json=data.content_json,
            meta=data.metadata.as_json() if data.metadata else {},
            status=PostStatus.DRAFT,
            published_at=None,
            allow_comments=data.allow_comments,
            moderate_comments=data.moderate_comments,
        )
        self._set_status(post, data.status, data.published_at, utcnow())
        await self._set_cover(post, data.cover_media_id)
        await self._size_images(post)
        await self._insert(post, data.slug)
        await self.posts.set_tags(post.id, await self._tag_ids(data.tags))
        await self.posts.add_version(post, author.id)
        record = await self._record(post.id, author)
        await self.events.record(
            _snapshot(PostCreated, record, author.id), *_moved(PostStatus.DRAFT, record, author)
        )
        await self._schedule_publication(post, was_scheduled_for=None)
        return record

    async def update(
        self, *, post_ref: PostRef, editor: User, changes: PostUpdate, if_match: str | None
    ) -> PostRecord:
        """Change only the fields sent; a changed title, summary or content saves a version.

        Sending `slug: null` with a new title gives the post a slug made from that title.
        """
        post = await self._editable(post_ref, editor, if_match)
        sent = changes.model_fields_set
        if changes.status not in (None, PostStatus.DRAFT) and not may_publish(editor):
            raise ReviewRequired
        if not sent:  # nothing to change: same version, same ETag
            return await self._record(post.id, editor)
        before = _tracked(post)
        content_changed = self._apply_content(post, changes)
        if changes.content_raw is not None:
            await self._size_images(post)
        if "slug" in sent:
            await self._change_slug(post, changes.slug)
        if sent & {"status", "published_at"}:
            self._set_status(post, changes.status or post.status, changes.published_at, utcnow())
        if "content_json" in sent:
            post.content_json = changes.content_json
        if "metadata" in sent:
            post.meta = changes.metadata.as_json() if changes.metadata else {}
        self._apply_comment_settings(post, changes)
        if "cover_media_id" in sent:
            await self._set_cover(post, changes.cover_media_id)
        await self.posts.save(post)
        if changes.tags is not None:
            await self.posts.set_tags(post.id, await self._tag_ids(changes.tags))
        if content_changed:
            await self.posts.add_version(post, editor.id)
        record = await self._record(post.id, editor)
        changed = [name for name, value in _tracked(post).items() if before[name] != value]
        changed += ["tags"] if changes.tags is not None else []
        await self.events.record(
            _snapshot(PostUpdated, record, editor.id, changed=changed),
            *_moved(before["status"], record, editor),
        )
        was_scheduled = before["status"] == PostStatus.SCHEDULED
        await self._schedule_publication(
            post, was_scheduled_for=before["published_at"] if was_scheduled else None
        )
        return record

    async def publish(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """Publish now (a post already published keeps its date)."""
        return await self._change_status(post_id, user, PostStatus.PUBLISHED)

    async def publish_scheduled(self, *, post_id: uuid.UUID, due: datetime) -> bool:
        """Publish a post at its scheduled time, if it is still scheduled for `due` (its job's
        time); a post rescheduled, unscheduled, published or deleted since is left alone."""
        post = await self.posts.get_for_update(post_id)
        if post is None or post.status != PostStatus.SCHEDULED or post.published_at != due:
            return False
        await self._publish_at_its_time(post)
        return True

    async def publish_due(self) -> int:
        """Publish scheduled posts whose time has come (the sweep behind the jobs)."""
        due = await self.posts.lock_due_scheduled(utcnow(), _SWEEP_BATCH)
        for post in due:
            await self._publish_at_its_time(post)
        return len(due)

    async def unpublish(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """Turn the post back into a draft."""
        return await self._change_status(post_id, user, PostStatus.DRAFT)

    async def delete(self, *, post_ref: PostRef, user: User, if_match: str | None) -> None:
        """Soft-delete the post; its slug becomes free again."""
        post = await self._editable(post_ref, user, if_match)
        post.deleted_at = utcnow()
        await self.posts.save(post)
        await self.events.record(
            PostDeleted(post_id=post.id, author_id=post.author_id, actor_id=user.id, slug=post.slug)
        )

    # Review and authors (docs/editorial.md)

    async def submit(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """An author sends a draft to the editors (pending_review)."""
        post = await self._authored(post_id, user, PostStatus.DRAFT, "submitted")
        return await self._review_move(post, user, PostStatus.PENDING_REVIEW, PostSubmitted)

    async def withdraw(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """An author takes a post back out of review, as a draft."""
        post = await self._authored(post_id, user, PostStatus.PENDING_REVIEW, "withdrawn")
        return await self._review_move(post, user, PostStatus.DRAFT, PostWithdrawn)

    async def approve(
        self, *, post_id: uuid.UUID, user: User, publish_at: datetime | None
    ) -> PostRecord:
        """An editor publishes a post in review now, or schedules it for `publish_at`."""
        post = await self._in_review(post_id, user, "approved")
        now = utcnow()
        status = PostStatus.SCHEDULED if publish_at and publish_at > now else PostStatus.PUBLISHED
        self._set_status(post, status, publish_at, now)
        await self.posts.add_review(post.id, user.id, "approved", None)
        record = await self._saved(post, user)
        await self.events.record(
            _snapshot(PostApproved, record, user.id),
            *_moved(PostStatus.PENDING_REVIEW, record, user),
        )
        await self._schedule_publication(post, was_scheduled_for=None)
        return record

    async def request_changes(self, *, post_id: uuid.UUID, user: User, note: str) -> PostRecord:
        """An editor sends a post in review back to its authors as a draft, with a note."""
        post = await self._in_review(post_id, user, "sent back")
        await self.posts.add_review(post.id, user.id, "changes_requested", note)
        return await self._review_move(
            post, user, PostStatus.DRAFT, PostChangesRequested, note=note
        )

    async def reviews(
        self, *, post_id: uuid.UUID, user: User
    ) -> list[tuple[PostReview, str | None]]:
        """The editors' decisions on a post, newest first (its authors, editors, admins)."""
        await self._history_reader(post_id, user)
        return await self.posts.list_reviews(post_id)

    async def review_queue(self, *, user: User, page: int, page_size: int) -> PostPage:
        """Posts waiting for review, the longest waiting first (editors and admins)."""
        if not can_review(user):
            raise NotEditor
        items, total = await self.posts.list_in_review(
            user.id, limit=page_size, offset=(page - 1) * page_size
        )
        return PostPage(items=items, total=total, page=page, page_size=page_size)

    async def set_authors(
        self, *, post_id: uuid.UUID, user: User, usernames: list[str]
    ) -> PostRecord:
        """Replace the post's ordered authors; the first becomes the primary author."""
        post, _ = await self._visible_for_change(post_id, user)
        if not can_set_authors(post, user):
            raise NotPostAuthor
        found = await self.posts.active_user_ids(usernames)
        unknown = [name for name in usernames if name.lower() not in found]
        if unknown:
            raise InvalidAuthors(unknown)
        user_ids = [found[name.lower()] for name in usernames]
        post.author_id = user_ids[0]
        await self.posts.set_coauthors(post.id, user_ids[1:])
        record = await self._saved(post, user)
        await self.events.record(_snapshot(PostUpdated, record, user.id, changed=["authors"]))
        return record

    async def _authored(
        self, post_id: uuid.UUID, user: User, status: PostStatus, action: str
    ) -> Post:
        post, coauthor = await self._visible_for_change(post_id, user)
        if not can_submit(post, user, coauthor=coauthor):
            raise NotPostAuthor
        if post.status != status:
            raise InvalidTransition(post.status.value, action)
        return post

    async def _in_review(self, post_id: uuid.UUID, user: User, action: str) -> Post:
        post, _ = await self._visible_for_change(post_id, user)
        if not can_review(user):
            raise NotEditor
        if post.status != PostStatus.PENDING_REVIEW:
            raise InvalidTransition(post.status.value, action)
        return post

    async def _review_move(
        self, post: Post, user: User, status: PostStatus, kind: type[PostSnapshot], **extra: Any
    ) -> PostRecord:
        post.status, post.published_at = status, None
        record = await self._saved(post, user)
        await self.events.record(_snapshot(kind, record, user.id, **extra))
        return record

    async def _saved(self, post: Post, user: User) -> PostRecord:
        await self.posts.save(post)
        return await self._record(post.id, user)

    # Versions

    async def versions(self, *, post_id: uuid.UUID, user: User) -> list[VersionRecord]:
        """Every saved version of a post, newest first (author and admins)."""
        await self._history_reader(post_id, user)
        return await self.posts.list_versions(post_id)

    async def version(self, *, post_id: uuid.UUID, number: int, user: User) -> VersionRecord:
        """One saved version of a post (author and admins)."""
        await self._history_reader(post_id, user)
        return await self._version(post_id, number)

    async def compare(
        self,
        *,
        post_id: uuid.UUID,
        before: int,
        after: int,
        user: User,
        fmt: DiffFormat,
        context: int,
    ) -> VersionDiff:
        """What changed from one saved version to another (author and admins). The matching
        runs in a thread: a long post's word diff takes tens of milliseconds of CPU."""
        await self._history_reader(post_id, user)
        old, new = await self._version(post_id, before), await self._version(post_id, after)
        return await asyncio.to_thread(diff, old, new, fmt, context)

    async def restore(
        self, *, post_id: uuid.UUID, number: int, user: User, if_match: str | None
    ) -> PostRecord:
        """Make an old version current again, as a new version; history is never rewritten."""
        post = await self._editable(post_id, user, if_match)
        old = (await self._version(post_id, number)).version
        post.title, post.summary, post.meta = old.title, old.summary, dict(old.meta)
        self._set_content(post, old.content_raw)
        await self._size_images(post)
        await self.posts.save(post)
        await self.posts.add_version(post, user.id)
        record = await self._record(post.id, user)
        await self.events.record(_snapshot(PostRestored, record, user.id, restored_version=number))
        return record

    # Helpers

    async def _change_status(
        self, post_id: uuid.UUID, user: User, status: PostStatus
    ) -> PostRecord:
        post = await self._editable(post_id, user, None)
        if not may_publish(user):
            raise ReviewRequired
        before = post.status
        self._set_status(post, status, None, utcnow())
        await self.posts.save(post)
        record = await self._record(post.id, user)
        await self.events.record(*_moved(before, record, user))
        return record

    async def _schedule_publication(
        self, post: Post, *, was_scheduled_for: datetime | None
    ) -> None:
        """Queue the job that publishes a post newly scheduled for a time, in this transaction
        (the job of an older time finds the post changed and does nothing)."""
        when = post.published_at
        if post.status != PostStatus.SCHEDULED or when is None or when == was_scheduled_for:
            return
        await self.jobs.defer(
            PUBLISH_SCHEDULED_POST, at=when, post_id=str(post.id), due=when.isoformat()
        )

    async def _publish_at_its_time(self, post: Post) -> None:
        """A scheduled post becomes published, keeping its time; as public as it was."""
        post.status = PostStatus.PUBLISHED
        await self.posts.save(post)
        record = await self.posts.get_record(post.id)
        if record is None:  # pragma: no cover - the post was locked and written just now
            raise PostNotFound
        await self.events.record(_snapshot(PostPublished, record, post.author_id))

    async def feature(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """Feature a post (editors); one already featured keeps its time."""
        post = await self._featurable(post_id, user)
        if post.featured_at is not None:
            return await self._as_seen_by(post_id, user)
        post.featured_at = utcnow()
        return await self._save_featuring(post, user, PostFeatured)

    async def unfeature(self, *, post_id: uuid.UUID, user: User) -> PostRecord:
        """Take a post off the featured list (editors); doing it twice changes nothing."""
        post = await self._featurable(post_id, user)
        if post.featured_at is None:
            return await self._as_seen_by(post_id, user)
        post.featured_at = None
        return await self._save_featuring(post, user, PostUnfeatured)

    async def _save_featuring(self, post: Post, user: User, kind: type[PostSnapshot]) -> PostRecord:
        await self.posts.save(post)
        record = await self._as_seen_by(post.id, user)
        await self.events.record(_snapshot(kind, record, user.id))
        return record

    async def _featurable(self, post_id: uuid.UUID, user: User) -> Post:
        post = await self.posts.get_for_update(post_id)
        if post is None or not can_see(post, user, utcnow()):
            raise PostNotFound
        if not can_feature(user):
            raise NotEditor
        return post

    async def _as_seen_by(self, post_id: uuid.UUID, user: User) -> PostRecord:
        record = await self._record(post_id, user)
        return replace(record, show_raw=can_edit(record.post, user))

    async def _record(self, post_id: uuid.UUID, user: User) -> PostRecord:
        record = await self.posts.get_record(post_id, user.id)
        if record is None:  # pragma: no cover - the post was just written in this transaction
            raise PostNotFound
        return replace(record, show_raw=True)

    async def _editable(self, post_ref: PostRef, user: User, if_match: str | None) -> Post:
        post, coauthor = await self._visible_for_change(post_ref, user)
        if not can_edit(post, user, coauthor=coauthor):
            raise ReviewRequired if is_author(post, user, coauthor=coauthor) else NotPostAuthor
        if if_match is not None and not etag_matches(if_match, post):
            raise PostChanged
        return post

    async def _visible_for_change(self, post_ref: PostRef, user: User) -> tuple[Post, bool]:
        """The live post, locked, if the user may see it; and whether they are a co-author
        (asked only of those who are neither its primary author nor an editor)."""
        post = await self._locked(post_ref)
        if post is None:
            raise PostNotFound
        coauthor = False
        if post.author_id != user.id and not edits_every_post(user):
            coauthor = await self.posts.is_coauthor(post.id, user.id)
        if not can_see(post, user, utcnow(), coauthor=coauthor):
            raise PostNotFound
        return post, coauthor

    async def _locked(self, post_ref: PostRef) -> Post | None:
        """The live post named by id, slug or old slug, locked for the transaction."""
        resolved = await resolve_post(
            post_ref,
            by_id=self.posts.get_for_update,
            by_slug=self.posts.get_for_update_by_slug,
            slug_owner=self.posts.slug_owner,
        )
        return resolved.found if resolved else None

    async def _history_reader(self, post_id: uuid.UUID, user: User) -> None:
        record = await self.posts.get_record(post_id)
        coauthor = record is not None and record.has_author(user.id)
        if record is None or not can_see(record.post, user, utcnow(), coauthor=coauthor):
            raise PostNotFound
        if not (coauthor or edits_every_post(user)):
            raise NotPostAuthor

    async def _version(self, post_id: uuid.UUID, number: int) -> VersionRecord:
        found = await self.posts.get_version(post_id, number)
        if found is None:
            raise VersionNotFound
        return found

    async def _set_cover(self, post: Post, media_id: uuid.UUID | None) -> None:
        """Make one of the author's ready uploads the cover (None: no cover)."""
        cover = None
        if media_id is not None:
            settings = self.events.settings
            cover = await cover_of(self.media, settings, owner_id=post.author_id, media_id=media_id)
        post.cover_media_id, post.cover = media_id, cover

    async def _size_images(self, post: Post) -> None:
        """Images of the post that are uploads here get their size and lazy loading."""
        sources = image_sources(post.content_html)
        if sources:
            sizes = await sizes_of_images(self.media, self.events.settings, sources)
            post.content_html = with_image_sizes(post.content_html, sizes)

    def _apply_content(self, post: Post, changes: PostUpdate) -> bool:
        before = (post.title, post.summary, post.content_raw)
        summary_was_derived = post.summary == _derived_summary(post.content_html)
        if changes.title is not None:
            post.title = changes.title
        if changes.content_raw is not None:
            self._set_content(post, changes.content_raw)
        if "summary" in changes.model_fields_set:
            post.summary = changes.summary or _derived_summary(post.content_html)
        elif changes.content_raw is not None and summary_was_derived:
            post.summary = _derived_summary(post.content_html)
        return (post.title, post.summary, post.content_raw) != before

    def _apply_comment_settings(self, post: Post, changes: PostUpdate) -> None:
        if changes.allow_comments is not None:
            post.allow_comments = changes.allow_comments
        if changes.moderate_comments is not None:
            post.moderate_comments = changes.moderate_comments

    def _set_content(self, post: Post, content_raw: str) -> None:
        post.content_raw = content_raw
        post.content_html = render_markdown(content_raw)
        post.reading_time = reading_minutes(plain_text(post.content_html))

    def _set_status(
        self, post: Post, status: PostStatus, when: datetime | None, now: datetime
    ) -> None:
        if status == PostStatus.DRAFT:
            if when is not None:
                raise InvalidPostInput("published_at", "a draft has no publication time")
        elif status == PostStatus.PUBLISHED:
            kept = post.published_at if post.status != PostStatus.SCHEDULED else None
            when = when or kept or now
            if when > now:
                raise InvalidPostInput("published_at", "is in the future; use status scheduled")
        elif status == PostStatus.SCHEDULED:
            when = when or post.published_at
            if when is None or when <= now:
                raise InvalidPostInput("published_at", "a scheduled post needs a future time")
        else:
            when = when or post.published_at
        post.status, post.published_at = status, when

    async def _insert(self, post: Post, explicit_slug: str | None) -> None:
        """Insert with a free slug; after losing a race for a generated one, add a random suffix."""
        post.slug = await self._slug_for(explicit_slug, post.title, exclude=None)
        for _ in range(_INSERT_TRIES):
            if await self.posts.add(post):
                return
            if explicit_slug:
                break
            post.slug = f"{slugify(post.title) or 'post'}-{secrets.token_hex(3)}"
        raise SlugTaken(post.slug)

    async def _change_slug(self, post: Post, slug: str | None) -> None:
        new = await self._slug_for(slug, post.title, exclude=post.id)
        if new != post.slug:
            await self.posts.remember_slug(post.id, post.slug)
            post.slug = new

    async def _slug_for(self, explicit: str | None, title: str, exclude: uuid.UUID | None) -> str:
        if explicit:
            if await self.posts.taken_slugs([explicit], exclude):
                raise SlugTaken(explicit)
            return explicit
        base = slugify(title) or "post"
        candidates = [base] + [f"{base}-{n}" for n in range(2, _SLUG_TRIES + 2)]
        taken = await self.posts.taken_slugs(candidates, exclude)
        free = [c for c in candidates if c not in taken]
        return free[0] if free else f"{base}-{secrets.token_hex(3)}"

    async def _tag_ids(self, names: list[str]) -> list[uuid.UUID]:
        tags: dict[str, str] = {}
        for name in names:
            slug = slugify(name, max_length=60)
            if not slug:
                raise InvalidPostInput("tags", f"tag {name!r} needs a letter or a digit")
            tags.setdefault(slug, name)
        return await self.tags.ensure([(name, slug) for slug, name in tags.items()])
