"""One batch of imported posts, written in one transaction: the posts, their tags, versions,
old slugs and comments, and the record of what was imported; and the report a run keeps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from inkwell.core.ids import uuid7
from inkwell.core.markdown import excerpt, plain_text, reading_minutes, render_markdown
from inkwell.core.slugs import slugify
from inkwell.models.comment import PATH_SEPARATOR, Comment, CommentStatus
from inkwell.models.post import Post, PostTag, PostVersion
from inkwell.porting import model
from inkwell.porting.convert import to_markdown
from inkwell.porting.repository import ImportRepository
from inkwell.tags.repository import TagRepository

SUMMARY_CHARS = 280


@dataclass
class ImportReport:
    """What a run did, counted as it goes (the progress of a running import)."""

    authors_created: int = 0
    authors_matched: int = 0
    posts_created: int = 0
    posts_skipped: int = 0
    comments_created: int = 0
    relations_created: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> list[tuple[str, int]]:
        return [
            (name, getattr(self, name)) for name in self.__dataclass_fields__ if name != "errors"
        ]


class Run(Protocol):
    """What a batch needs of the run it belongs to."""

    source: str
    keys_are_ids: bool
    authors: dict[str, uuid.UUID]
    report: ImportReport
    max_depth: int


def convert(post: model.Post) -> None:
    """Give the post and its comments their Markdown, where the source gave HTML."""
    items: list[model.Post | model.Comment] = [post, *post.comments]
    for item in items:
        if item.html is not None:
            item.markdown, item.html = to_markdown(item.html), None


class PostBatch:
    """One batch of posts, written in the run's transaction."""

    def __init__(self, importer: Run, repository: ImportRepository, tags: TagRepository) -> None:
        self.importer = importer
        self.repository = repository
        self.tags = tags
        self.now = datetime.now(UTC)

    async def write(self, posts: list[model.Post]) -> None:
        importer = self.importer
        keys = [p.key for p in posts]
        known = await self.repository.known(importer.source, "post", keys)
        if importer.keys_are_ids:
            known.update(await self.repository.existing_posts(keys))
        unique = {p.key: p for p in posts if p.key not in known}
        fresh = [p for p in unique.values() if p.author_key in importer.authors]
        for post in unique.values():
            if post.author_key not in importer.authors:
                importer.report.errors.append(
                    f"post {post.key}: unknown author {post.author_key!r}"
                )
        importer.report.posts_skipped += len(posts) - len(unique)
        if not fresh:
            return
        for post in fresh:
            convert(post)
        ids = {p.key: uuid7() for p in fresh}
        slugs = await self._slugs(fresh)
        await self.repository.insert_rows(Post, [self._post_row(p, ids, slugs) for p in fresh])
        await self._tags(fresh, ids)
        await self.repository.insert_rows(
            PostVersion, [v for p in fresh for v in self._versions(p, ids)]
        )
        await self._old_slugs(fresh, ids, slugs)
        await self._comments(fresh, ids)
        await self.repository.remember(
            importer.source, "post", [(p.key, ids[p.key], p.url) for p in fresh]
        )
        importer.report.posts_created += len(fresh)

    async def _slugs(self, posts: list[model.Post]) -> dict[str, str]:
        """Each post's slug, numbered when a live post, an old slug or an earlier post of the
        batch has it."""
        wanted = [p.slug for p in posts]
        candidates = wanted + [f"{s}-{n}" for s in wanted for n in range(2, 10)]
        taken = await self.repository.taken_slugs(candidates)
        chosen: dict[str, str] = {}
        for post in posts:
            slug, n = post.slug, 1
            while slug in taken:
                n += 1
                slug = f"{post.slug}-{n}" if n < 10 else f"{post.slug}-{uuid7().hex[-8:]}"
            taken.add(slug)
            chosen[post.key] = slug
        return chosen

    def _post_row(
        self, post: model.Post, ids: dict[str, uuid.UUID], slugs: dict[str, str]
    ) -> dict[str, Any]:
        html = render_markdown(post.markdown)
        text = plain_text(html)
        created = post.created_at or post.published_at or self.now
        visible = sum(1 for c in post.comments if c.status == CommentStatus.VISIBLE)
        return {
            "id": ids[post.key],
            "author_id": self.importer.authors[post.author_key],
            "title": post.title[:200],
            "slug": slugs[post.key],
            "status": post.status,
            "published_at": post.published_at,
            "summary": (post.summary or excerpt(text, SUMMARY_CHARS))[:500],
            "content_raw": post.markdown,
            "content_html": html,
            "reading_time": reading_minutes(text),
            "comments_count": visible,
            "version": max(1, len(post.versions)),
            "created_at": created,
            "updated_at": post.updated_at or created,
        }

    async def _tags(self, posts: list[model.Post], ids: dict[str, uuid.UUID]) -> None:
        names = {slugify(n, max_length=60): n[:50] for p in posts for n in p.tags}
        names.pop("", None)
        found = await self.tags.ensure([(name, slug) for slug, name in names.items()])
        tag_ids = dict(zip(names, found, strict=True))
        rows = []
        for post in posts:
            slugs = dict.fromkeys(s for s in (slugify(n, max_length=60) for n in post.tags) if s)
            rows += [
                {"post_id": ids[post.key], "tag_id": tag_ids[slug], "position": n}
                for n, slug in enumerate(slugs)
            ]
        await self.repository.insert_rows(PostTag, rows)

    def _versions(self, post: model.Post, ids: dict[str, uuid.UUID]) -> list[dict[str, Any]]:
        versions = post.versions or [
            model.Version(
                title=post.title,
                summary=post.summary
                or excerpt(plain_text(render_markdown(post.markdown)), SUMMARY_CHARS),
                markdown=post.markdown,
                created_at=post.created_at or post.published_at or self.now,
                editor_key=post.author_key,
            )
        ]
        authors = self.importer.authors
        return [
            {
                "id": uuid7(),
                "post_id": ids[post.key],
                "version": n,
                "title": v.title[:200],
                "summary": v.summary[:500],
                "content_raw": v.markdown,
                "meta": {},
                "editor_id": authors.get(v.editor_key) if v.editor_key else None,
                "created_at": v.created_at,
            }
            for n, v in enumerate(versions, start=1)
        ]

    async def _old_slugs(
        self, posts: list[model.Post], ids: dict[str, uuid.UUID], slugs: dict[str, str]
    ) -> None:
        current = set(slugs.values())
        wanted = [(old, ids[p.key]) for p in posts for old in p.old_slugs if old not in current]
        if wanted:
            taken = await self.repository.taken_slugs([slug for slug, _ in wanted])
            rows = [
                {"slug": slug, "post_id": post_id, "created_at": self.now}
                for slug, post_id in wanted
                if slug not in taken
            ]
            await self.repository.add_old_slugs(rows)

    async def _comments(self, posts: list[model.Post], ids: dict[str, uuid.UUID]) -> None:
        guests = {c.author_key for p in posts for c in p.comments if c.author_key}
        users = {**await self.repository.users_by_email(guests), **self.importer.authors}
        rows = [row for p in posts for row in self._thread(p, ids[p.key], users)]
        await self.repository.insert_rows(Comment, rows)
        self.importer.report.comments_created += len(rows)

    def _thread(
        self, post: model.Post, post_id: uuid.UUID, users: dict[str, uuid.UUID]
    ) -> list[dict[str, Any]]:
        """The post's comments with their paths. Ids are made from the comments' dates (one
        millisecond apart at least), so a thread's path order is its time order, as for
        comments written here."""
        paths: dict[str, list[str]] = {}
        rows = []
        millis = 0
        for comment in sorted(post.comments, key=lambda c: c.created_at):
            millis = max(millis + 1, int(comment.created_at.timestamp() * 1000))
            comment_id = uuid7(millis)
            parent = paths.get(comment.parent_key or "", [])[: self.importer.max_depth]
            path = [*parent, comment_id.hex]
            paths[comment.key] = path
            html = render_markdown(comment.markdown)
            rows.append(
                {
                    "id": comment_id,
                    "post_id": post_id,
                    "author_id": users.get(comment.author_key or ""),
                    "parent_id": uuid.UUID(hex=parent[-1]) if parent else None,
                    "root_id": uuid.UUID(hex=path[0]),
                    "path": PATH_SEPARATOR.join(path),
                    "depth": len(parent),
                    "content_raw": comment.markdown,
                    "content_html": html,
                    "status": comment.status,
                    "created_at": comment.created_at,
                    "updated_at": comment.created_at,
                }
            )
        return rows
