"""Comment rules: who may write, read, change and moderate comments, and the threads."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from inkwell.blocks.exceptions import BlockedByUser
from inkwell.blocks.repository import BlockRepository
from inkwell.comments.exceptions import (
    CannotDeleteComment,
    CommentNotFound,
    CommentsClosed,
    InvalidParent,
    NotCommentAuthor,
    NotCommentModerator,
    ResumeExpired,
    ResumeTooFarBack,
    WrongCommentStatus,
)
from inkwell.comments.records import (
    AuthorRef,
    CommentNode,
    CommentPage,
    CommentPost,
    CommentRecord,
    CommentRow,
    ReadScope,
    ThreadPage,
    ThreadRows,
    thread_etag,
)
from inkwell.comments.repository import CommentRepository
from inkwell.comments.schemas import CommentCreate, CommentUpdate, ThreadParams
from inkwell.core.clock import utcnow
from inkwell.core.ids import uuid7
from inkwell.core.markdown import render_markdown
from inkwell.events.catalogue import (
    CommentApproved,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentEvent,
    CommentHidden,
    CommentModerated,
    CommentUnhidden,
)
from inkwell.events.outbox import Outbox
from inkwell.models.comment import PATH_SEPARATOR, Comment, CommentStatus
from inkwell.models.live import post_channel
from inkwell.models.user import User
from inkwell.posts.exceptions import PostNotFound
from inkwell.posts.policy import can_moderate, can_see, moderates_every_post
from inkwell.posts.refs import first_key, resolve_post
from inkwell.posts.repository import PostRepository

_Event = TypeVar("_Event", bound=CommentEvent)
VISIBLE, HIDDEN, PENDING = CommentStatus.VISIBLE, CommentStatus.HIDDEN, CommentStatus.PENDING
# A flat list holds at most this many comments (the newest, or the oldest).
FLAT_LIMIT = 500
# A resuming reader gets at most this many changed comments; further behind, it reads again.
RESUME_LIMIT = 500


def read_scope(post: CommentPost, viewer: User | None) -> ReadScope:
    return ReadScope(
        viewer_id=viewer.id if viewer else None, every_status=can_moderate(post, viewer)
    )


def build_threads(
    tops: list[CommentRecord], below: list[CommentRecord], scope: ReadScope
) -> list[CommentNode]:
    """Nest `below` (in path order) under `tops`; drop what the reader may not see.

    A comment the reader may not see stays as a placeholder (no content, no author) only
    when a reply below it is shown; otherwise it disappears with its hidden subtree.
    """
    nodes: dict[uuid.UUID, CommentNode] = {}
    for record in [*tops, *below]:
        comment = record.comment
        full = scope.shows(comment)
        own = full and scope.viewer_id is not None and comment.author_id == scope.viewer_id
        nodes[comment.id] = CommentNode(record=record, full=full, show_raw=own)
    for record in below:
        parent = nodes.get(record.comment.parent_id) if record.comment.parent_id else None
        if parent is not None:
            parent.replies.append(nodes[record.comment.id])
    roots = [nodes[record.comment.id] for record in tops]
    return [root for root in roots if _prune(root)]


def _own(comment: Comment, author: User) -> CommentNode:
    """A comment as its author sees it right after writing it (without replies)."""
    record = CommentRecord(
        comment=CommentRow.of(comment),
        author=AuthorRef(author.username, author.display_name, author.avatar_url, author.bio),
    )
    return CommentNode(record=record, full=True, show_raw=True)


def _event(kind: type[_Event], comment: Comment, **extra: Any) -> _Event:
    """The event `kind` about a comment as it is after the change."""
    return kind(
        comment_id=comment.id,
        post_id=comment.post_id,
        author_id=comment.author_id,
        parent_id=comment.parent_id,
        status=comment.status,
        **extra,
    )


def _changed_node(record: CommentRecord, scope: ReadScope) -> CommentNode | None:
    """A changed comment for a resuming reader: whole if they may see it, a placeholder if
    it was hidden or deleted (so they drop it), nothing if they never could see it."""
    comment = record.comment
    full = scope.shows(comment)
    if not full and comment.deleted_at is None and comment.status != HIDDEN:
        return None
    own = full and scope.viewer_id is not None and comment.author_id == scope.viewer_id
    return CommentNode(record=record, full=full, show_raw=own)


def _prune(node: CommentNode) -> bool:
    node.replies = [reply for reply in node.replies if _prune(reply)]
    return node.full or bool(node.replies)


class CommentService:
    def __init__(
        self,
        *,
        comments: CommentRepository,
        posts: PostRepository,
        blocks: BlockRepository,
        max_depth: int,
        events: Outbox,
    ) -> None:
        self.comments = comments
        self.posts = posts
        self.blocks = blocks
        self.max_depth = max_depth
        self.events = events

    # Reading

    async def threads(
        self, *, post_ref: str, viewer: User | None, params: ThreadParams
    ) -> ThreadPage:
        """A page of a post's root comments, each with its replies nested: the post and the
        page in one statement, or the post, then the page."""
        post, scope, found = await self._post_and_threads(post_ref, viewer, params)
        page = (params.page, params.page_size, params.sort)
        return ThreadPage(
            items=build_threads(found.roots, found.replies, scope),
            total=post.comments_count,
            threads=found.threads,
            page=params.page,
            page_size=params.page_size,
            etag=thread_etag(found, scope=scope, post=post, page=page),
        )

    async def changes(self, *, post_ref: str, viewer: User | None, since: int) -> ThreadPage:
        """The post's comments changed after live sequence number `since`, flat, each as
        this reader may see it now (a placeholder for one hidden or deleted since)."""
        post = await self._visible_post(post_ref, viewer)
        scope, channel = read_scope(post, viewer), post_channel(post.id)
        reached = await self.comments.live_seq(channel)  # first: later changes come again
        records = await self.comments.list_changed(
            post.id, channel, since, viewer_id=scope.viewer_id, limit=RESUME_LIMIT + 1
        )
        if len(records) > RESUME_LIMIT:
            raise ResumeTooFarBack
        if since < reached and not await self._kept_after(channel, since):
            raise ResumeExpired
        items = [node for r in records if (node := _changed_node(r, scope)) is not None]
        etag = f'"{post.id}-live-{reached}-{scope.viewer_id}-{scope.every_status}"'
        return ThreadPage(items, post.comments_count, len(items), 1, len(items), etag, reached)

    async def _kept_after(self, channel: str, since: int) -> bool:
        """Is every message after `since` still kept? Pruning deletes a channel's oldest
        first, and it is checked after the read, so a prune during the read is caught."""
        oldest = await self.comments.oldest_live_seq(channel)
        return oldest is not None and oldest <= since + 1

    async def _post_and_threads(
        self, post_ref: str, viewer: User | None, params: ThreadParams
    ) -> tuple[CommentPost, ReadScope, ThreadRows]:
        """The visible post, the reader's scope and the page.

        The scope depends on the post only for its author (who moderates its comments), so the
        page is read with the post for the scope the reader has on any other post: one
        statement. The post's author then gets a second read in their own scope, and a post
        named by an old slug is resolved first, as other reads do.
        """
        newest, limit = params.sort == "newest", params.page_size
        offset = (params.page - 1) * limit
        key = first_key(post_ref)
        guess = ReadScope(
            viewer_id=viewer.id if viewer else None, every_status=moderates_every_post(viewer)
        )
        found = None
        if key is not None:
            found = await self.comments.post_and_thread_page(
                key, guess, newest=newest, limit=limit, offset=offset
            )
        if found is None:
            post = await self._visible_post(post_ref, viewer)
        else:
            post, rows = found
            if not can_see(post, viewer, utcnow()):
                raise PostNotFound
        scope = read_scope(post, viewer)
        if found is None or scope != guess:
            rows = await self.comments.thread_page(
                post.id, scope, newest=newest, limit=limit, offset=offset
            )
        return post, scope, rows

    async def flat(
        self, *, post_ref: str, viewer: User | None, newest: bool = True, limit: int = FLAT_LIMIT
    ) -> list[CommentNode]:
        """A post's comments as one list (replies too, not nested), newest first by default.

        It holds what any reader sees (visible comments, and the reader's own pending ones),
        even for the post's moderators: hidden comments are for the moderation views.
        """
        post = await self._visible_post(post_ref, viewer)
        viewer_id = viewer.id if viewer else None
        scope = ReadScope(viewer_id=viewer_id, every_status=False)
        records = await self.comments.list_flat(post.id, scope, newest=newest, limit=limit)
        return [
            CommentNode(record=r, full=True, show_raw=r.comment.author_id == viewer_id)
            for r in records
        ]

    async def read(self, *, comment_id: uuid.UUID, viewer: User | None) -> CommentNode:
        """One comment with its replies (a placeholder if only its replies may be seen)."""
        record = await self.comments.get(comment_id)
        if record is None:
            raise CommentNotFound
        post = await self._post_of(record.comment, viewer)
        scope = read_scope(post, viewer)
        below = await self.comments.subtree(record.comment)
        found = build_threads([record], below, scope)
        if not found:
            raise CommentNotFound
        return found[0]

    async def pending(self, *, post_ref: str, user: User, page: int, page_size: int) -> CommentPage:
        """Comments of a post waiting for approval, oldest first (its moderators only)."""
        post = await self._visible_post(post_ref, user)
        if not can_moderate(post, user):
            raise NotCommentModerator
        records, total = await self.comments.list_pending(
            post.id, limit=page_size, offset=(page - 1) * page_size
        )
        items = [
            CommentNode(record=r, full=True, show_raw=r.comment.author_id == user.id)
            for r in records
        ]
        return CommentPage(items=items, total=total, page=page, page_size=page_size)

    # Writing

    async def create(self, *, post_ref: str, author: User, data: CommentCreate) -> CommentNode:
        """Comment on a post, or reply to one of its comments; held if the post is moderated."""
        post = await self._visible_post(post_ref, author)
        if not post.allow_comments:
            raise CommentsClosed
        held = post.moderate_comments and not can_moderate(post, author)
        comment = Comment(
            id=uuid7(),
            post_id=post.id,
            author_id=author.id,
            content_raw=data.content,
            content_html=render_markdown(data.content),
            status=PENDING if held else VISIBLE,
        )
        parent = await self._parent(post, data.parent_id) if data.parent_id else None
        await self._refuse_blocked(author, post, parent)
        self._place(comment, parent)
        await self.comments.add(comment)
        if comment.status == VISIBLE:
            await self.posts.increment(post.id, "comments_count")
        await self.events.record(_event(CommentCreated, comment, depth=comment.depth))
        return _own(comment, author)

    async def update(
        self, *, comment_id: uuid.UUID, editor: User, data: CommentUpdate
    ) -> CommentNode:
        """Change a comment's content (its author only); marks it edited."""
        comment, _ = await self._writable(comment_id, editor)
        if comment.author_id != editor.id:
            raise NotCommentAuthor
        comment.content_raw = data.content
        comment.content_html = render_markdown(data.content)
        comment.edited_at = utcnow()
        await self.comments.save()
        await self.events.record(_event(CommentEdited, comment))
        return _own(comment, editor)

    async def delete(self, *, comment_id: uuid.UUID, user: User) -> None:
        """Delete a comment (its author or the post's moderators); replies keep a tombstone."""
        comment, post = await self._writable(comment_id, user)
        if comment.author_id != user.id and not can_moderate(post, user):
            raise CannotDeleteComment
        comment.deleted_at = utcnow()
        await self.comments.save()
        if comment.status == VISIBLE:
            await self.posts.increment(post.id, "comments_count", -1)
        await self.events.record(_event(CommentDeleted, comment, deleted_by=user.id))

    async def delete_numbered(self, *, post_ref: str, number: int, user: User) -> None:
        """Delete the comment of this post that has this number (the rules of `delete`)."""
        post = await self._visible_post(post_ref, user)
        comment_id = await self.comments.id_by_number(post.id, number)
        if comment_id is None:
            raise CommentNotFound
        await self.delete(comment_id=comment_id, user=user)

    async def hide(self, *, comment_id: uuid.UUID, user: User) -> CommentNode:
        """Hide a visible or pending comment from readers (the post's moderators)."""
        return await self._set_status(
            comment_id, user, HIDDEN, allowed_from={VISIBLE, PENDING}, event=CommentHidden
        )

    async def unhide(self, *, comment_id: uuid.UUID, user: User) -> CommentNode:
        """Show a hidden comment again (the post's moderators)."""
        return await self._set_status(
            comment_id, user, VISIBLE, allowed_from={HIDDEN}, event=CommentUnhidden
        )

    async def approve(self, *, comment_id: uuid.UUID, user: User) -> CommentNode:
        """Publish a pending comment (the post's moderators)."""
        return await self._set_status(
            comment_id, user, VISIBLE, allowed_from={PENDING}, event=CommentApproved
        )

    # Helpers

    async def _set_status(
        self,
        comment_id: uuid.UUID,
        user: User,
        status: CommentStatus,
        *,
        allowed_from: set[CommentStatus],
        event: type[CommentModerated],
    ) -> CommentNode:
        comment, post = await self._writable(comment_id, user)
        if not can_moderate(post, user):
            raise NotCommentModerator
        before = comment.status
        if before != status:
            if before not in allowed_from:
                raise WrongCommentStatus(before)
            comment.status = status
            await self.comments.save()
            change = (status == VISIBLE) - (before == VISIBLE)
            if change:
                await self.posts.increment(post.id, "comments_count", change)
            await self.events.record(_event(event, comment, moderator_id=user.id))
        return await self._node(comment.id, user)

    async def _visible_post(self, post_ref: str, viewer: User | None) -> CommentPost:
        """The post named by id, slug or an old slug, if the viewer may see it."""
        resolved = await resolve_post(
            post_ref,
            by_id=self.comments.get_post,
            by_slug=self.comments.get_post_by_slug,
            slug_owner=self.posts.slug_owner,
        )
        if resolved is None or not can_see(resolved.found, viewer, utcnow()):
            raise PostNotFound
        return resolved.found

    async def _post_of(self, comment: Comment | CommentRow, viewer: User | None) -> CommentPost:
        post = await self.comments.get_post(comment.post_id)
        if post is None or not can_see(post, viewer, utcnow()):
            raise CommentNotFound
        return post

    async def _writable(self, comment_id: uuid.UUID, user: User) -> tuple[Comment, CommentPost]:
        """A live comment, locked, that the user sees (or wrote); else CommentNotFound."""
        comment = await self.comments.get_for_update(comment_id)
        if comment is None:
            raise CommentNotFound
        post = await self._post_of(comment, user)
        own = comment.author_id == user.id and comment.deleted_at is None
        if not (own or read_scope(post, user).shows(comment)):
            raise CommentNotFound
        return comment, post

    async def _parent(self, post: CommentPost, parent_id: uuid.UUID) -> CommentRow:
        record = await self.comments.get(parent_id)
        parent = record.comment if record else None
        if (
            parent is None
            or parent.post_id != post.id
            or parent.deleted_at is not None
            or parent.status != VISIBLE
        ):
            raise InvalidParent
        return parent

    async def _refuse_blocked(
        self, writer: User, post: CommentPost, parent: CommentRow | None
    ) -> None:
        """Refuse a comment on the post of an author, or a reply to a comment of a writer,
        who blocked the writer."""
        owners = [post.author_id]
        if parent is not None and parent.author_id is not None:
            owners.append(parent.author_id)
        if await self.blocks.blocked_by_any(owners, writer.id):
            raise BlockedByUser

    def _place(self, comment: Comment, parent: CommentRow | None) -> None:
        """Give the comment its path and depth; too deep a reply joins the deepest level."""
        ancestors = parent.path.split(PATH_SEPARATOR)[: self.max_depth] if parent else []
        comment.parent_id = uuid.UUID(hex=ancestors[-1]) if ancestors else None
        comment.root_id = uuid.UUID(hex=ancestors[0]) if ancestors else comment.id
        comment.depth = len(ancestors)
        comment.path = PATH_SEPARATOR.join([*ancestors, comment.id.hex])

    async def _node(self, comment_id: uuid.UUID, viewer: User) -> CommentNode:
        """A comment just moderated, as the moderator sees it (without replies)."""
        record = await self.comments.get(comment_id)
        if record is None:  # pragma: no cover - locked in this transaction
            raise CommentNotFound
        return CommentNode(record=record, full=True, show_raw=record.comment.author_id == viewer.id)
