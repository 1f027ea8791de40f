"""Writes the neutral model into the database: authors first, then posts in batches (each
batch one transaction, with its tags, versions, old slugs, comments and the record of what
it imported), then likes, bookmarks and follows. A second run skips what the first wrote."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.db import unit_of_work
from inkwell.core.ids import uuid7
from inkwell.core.markdown import excerpt, plain_text, reading_minutes, render_markdown
from inkwell.core.security import UNUSABLE_PASSWORD
from inkwell.core.slugs import slugify
from inkwell.models.comment import PATH_SEPARATOR, Comment, CommentStatus
from inkwell.models.post import Post, PostTag, PostVersion
from inkwell.models.user import User
from inkwell.porting import model
from inkwell.porting.convert import to_markdown
from inkwell.porting.readers import READERS
from inkwell.porting.repository import ImportRepository
from inkwell.tags.repository import TagRepository

SUMMARY_CHARS = 280
USERNAME_LENGTH = 30
PLACEHOLDER_DOMAIN = "users.invalid"  # RFC 2606: an address that can never receive mail


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


Progress = Callable[[ImportReport], Awaitable[None]]


class Importer:
    """One run of an import over a database (outside requests: it commits per batch)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        source: str,
        batch_size: int = 200,
        max_depth: int = 5,
        progress: Progress | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.source = source
        self.batch_size = batch_size
        self.max_depth = max_depth
        self.progress = progress
        self.report = ImportReport()
        self.keys_are_ids = False
        self.authors: dict[str, uuid.UUID] = {}
        self._pending_authors: list[model.Author] = []
        self._relations: list[model.Relation] = []

    async def run(self, items: Iterable[model.Item]) -> ImportReport:
        """Import every item; returns what was done."""
        batch: list[model.Post] = []
        for item in items:
            if isinstance(item, model.Site):
                self.source, self.keys_are_ids = item.source, item.keys_are_ids
            elif isinstance(item, model.Author):
                self._pending_authors.append(item)
            elif isinstance(item, model.Relation):
                self._relations.append(item)
            else:
                batch.append(item)
                if len(batch) >= self.batch_size:
                    await self._write_batch(batch)
                    batch = []
        await self._write_batch(batch)
        await self._write_relations()
        return self.report

    async def _write_batch(self, posts: list[model.Post]) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            repository = ImportRepository(session)
            await self._write_authors(repository)
            if posts:
                await _PostBatch(self, repository, TagRepository(session)).write(posts)
        if self.progress is not None:
            await self.progress(self.report)

    # Authors

    async def _write_authors(self, repository: ImportRepository) -> None:
        authors, self._pending_authors = self._pending_authors, []
        if not authors:
            return
        known = await repository.known(self.source, "author", [a.key for a in authors])
        self.authors.update(known)
        fresh = [a for a in authors if a.key not in known]
        by_email = await repository.users_by_email([_email(a) for a in fresh])
        self.report.authors_matched += sum(1 for a in fresh if _email(a) in by_email)
        created = [a for a in fresh if _email(a) not in by_email]
        rows = await self._new_users(repository, created)
        await repository.insert_rows(User, rows)
        self.report.authors_created += len(rows)
        ids = {**by_email, **{row["email"]: row["id"] for row in rows}}
        mapped = [(a.key, ids[_email(a)], None) for a in fresh]
        await repository.remember(self.source, "author", mapped)
        self.authors.update({key: target for key, target, _ in mapped})

    async def _new_users(
        self, repository: ImportRepository, authors: list[model.Author]
    ) -> list[dict[str, Any]]:
        wanted = {_email(a): _username(a.login or a.email.split("@")[0]) for a in authors}
        names = await _unique(repository, list(wanted.values()))
        return [
            {
                "id": uuid7(),
                "email": email,
                "username": names[n],
                "display_name": author.display_name[:100] if author.display_name else None,
                "bio": author.bio,
                "password_hash": UNUSABLE_PASSWORD,
            }
            for n, (email, author) in enumerate({_email(a): a for a in authors}.items())
        ]

    # Relations

    async def _write_relations(self) -> None:
        if not self._relations:
            return
        async with unit_of_work(self.sessionmaker) as session:
            repository = ImportRepository(session)
            targets = {r.target_key for r in self._relations if r.kind != "follow"}
            posts = await repository.known(self.source, "post", targets)
            if self.keys_are_ids:
                posts.update(await repository.existing_posts(targets))
            for kind in ("like", "bookmark", "follow"):
                rows = [
                    _relation(r, self.authors, posts) for r in self._relations if r.kind == kind
                ]
                found = [row for row in rows if row is not None]
                self.report.relations_created += await repository.add_relations(kind, found)
            await repository.recount(set(posts.values()))


def _email(author: model.Author) -> str:
    address = author.email.strip().lower()
    return address or f"{_username(author.login)}@{PLACEHOLDER_DOMAIN}"


def _username(login: str) -> str:
    name = slugify(login, max_length=USERNAME_LENGTH) or "author"
    return name if len(name) >= 3 else f"{name}-user"


async def _unique(repository: ImportRepository, wanted: list[str]) -> list[str]:
    """The wanted usernames, each given a number when taken (by an account or another)."""
    taken = await repository.taken_usernames(
        wanted + [f"{w[:26]}-{n}" for w in wanted for n in range(2, 10)]
    )
    chosen: list[str] = []
    for name in wanted:
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{name[: USERNAME_LENGTH - len(str(n)) - 1]}-{n}"
        taken.add(candidate.lower())
        chosen.append(candidate)
    return chosen


def _convert(post: model.Post) -> None:
    """Give the post and its comments their Markdown, where the source gave HTML."""
    items: list[model.Post | model.Comment] = [post, *post.comments]
    for item in items:
        if item.html is not None:
            item.markdown, item.html = to_markdown(item.html), None


def _relation(
    relation: model.Relation, users: dict[str, uuid.UUID], posts: dict[str, uuid.UUID]
) -> dict[str, Any] | None:
    user = users.get(relation.user_key)
    if relation.kind == "follow":
        followee = users.get(relation.target_key)
        if user is None or followee is None or user == followee:
            return None
        return {"follower_id": user, "followee_id": followee, "created_at": relation.created_at}
    post = posts.get(relation.target_key)
    if user is None or post is None:
        return None
    return {"user_id": user, "post_id": post, "created_at": relation.created_at}


class _PostBatch:
    """One batch of posts, written in the importer's transaction."""

    def __init__(
        self, importer: Importer, repository: ImportRepository, tags: TagRepository
    ) -> None:
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
            _convert(post)
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


async def import_file(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    kind: str,
    path: Path,
    max_depth: int,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file of one of the READERS' formats."""
    importer = Importer(sessionmaker, source=kind, max_depth=max_depth, progress=progress)
    return await importer.run(READERS[kind](path))
