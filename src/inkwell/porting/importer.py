"""Writes the neutral model into the database: authors first, then posts in batches (each
batch one transaction, with its tags, versions, old slugs, comments and the record of what
it imported), then likes, bookmarks and follows. A second run skips what the first wrote."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.db import unit_of_work
from inkwell.core.ids import uuid7
from inkwell.core.security import UNUSABLE_PASSWORD
from inkwell.core.slugs import slugify
from inkwell.models.user import User
from inkwell.porting import model
from inkwell.porting.batch import ImportReport, PostBatch
from inkwell.porting.readers import READERS
from inkwell.porting.repository import ImportRepository
from inkwell.tags.repository import TagRepository

USERNAME_LENGTH = 30
PLACEHOLDER_DOMAIN = "users.invalid"  # RFC 2606: an address that can never receive mail


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
                await PostBatch(self, repository, TagRepository(session)).write(posts)
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
