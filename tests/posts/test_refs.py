"""The one rule for naming a post: id first, then current slug, then an old slug."""

from __future__ import annotations

import uuid

import pytest

from inkwell.posts.refs import PostRef, Resolved, resolve_post

POST_ID = uuid.uuid4()
OLD_OWNER = uuid.uuid4()


class Lookups:
    """A post known by POST_ID and the slug "current"; OLD_OWNER used to be "old-name"."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def by_id(self, post_id: uuid.UUID) -> str | None:
        self.calls.append(f"id {post_id}")
        return {POST_ID: "the post", OLD_OWNER: "renamed post"}.get(post_id)

    async def by_slug(self, slug: str) -> str | None:
        self.calls.append(f"slug {slug}")
        return "the post" if slug == "current" else None

    async def slug_owner(self, slug: str) -> uuid.UUID | None:
        self.calls.append(f"owner {slug}")
        return OLD_OWNER if slug == "old-name" else None


async def resolve(ref: PostRef) -> tuple[Resolved[str] | None, list[str]]:
    lookups = Lookups()
    found = await resolve_post(
        ref, by_id=lookups.by_id, by_slug=lookups.by_slug, slug_owner=lookups.slug_owner
    )
    return found, lookups.calls


@pytest.mark.parametrize("ref", [POST_ID, str(POST_ID)], ids=["uuid", "text"])
async def test_an_id_names_the_post_in_one_lookup(ref: PostRef) -> None:
    assert await resolve(ref) == (Resolved("the post", by_old_slug=False), [f"id {POST_ID}"])


async def test_a_current_slug_is_looked_up_as_a_slug_only() -> None:
    assert await resolve("current") == (Resolved("the post", by_old_slug=False), ["slug current"])


async def test_an_old_slug_names_its_owner_and_says_so() -> None:
    found, calls = await resolve("old-name")
    assert found == Resolved("renamed post", by_old_slug=True)
    assert calls == ["slug old-name", "owner old-name", f"id {OLD_OWNER}"]


async def test_an_unknown_uuid_object_is_not_tried_as_a_slug() -> None:
    unknown = uuid.uuid4()
    assert await resolve(unknown) == (None, [f"id {unknown}"])


async def test_unknown_id_text_is_also_tried_as_a_slug() -> None:
    unknown = str(uuid.uuid4())
    assert await resolve(unknown) == (
        None,
        [f"id {unknown}", f"slug {unknown}", f"owner {unknown}"],
    )


async def test_text_that_is_neither_id_nor_slug_reads_nothing() -> None:
    assert await resolve("Not A Slug!") == (None, [])
