"""WordPress (WXR 1.2) imports: what each part of the file becomes, threads, statuses, old
slugs, authors, a second run, and hostile or broken files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.security import UNUSABLE_PASSWORD
from inkwell.models.comment import Comment
from inkwell.models.porting import ImportedRecord
from inkwell.models.post import Post, PostSlug, PostTag, PostVersion, Tag
from inkwell.models.user import User
from inkwell.porting.batch import ImportReport
from inkwell.porting.exceptions import ImportFileInvalid
from inkwell.porting.importer import Importer, import_file
from inkwell.porting.wordpress import read_wordpress
from tests.factories import create_user
from tests.porting.files import WxrItem, sample_site, write_wxr, wxr_author


async def run(sessionmaker: async_sessionmaker[AsyncSession], path: Path) -> ImportReport:
    return await import_file(sessionmaker, kind="wordpress", path=path, max_depth=5)


async def post_by_slug(session: AsyncSession, slug: str) -> Post:
    post = await session.scalar(select(Post).where(Post.slug == slug))
    assert post is not None, slug
    return post


async def tag_names(session: AsyncSession, post: Post) -> list[str]:
    rows = await session.scalars(
        select(Tag.name).join(PostTag).where(PostTag.post_id == post.id).order_by(PostTag.position)
    )
    return list(rows)


async def test_posts_pages_and_statuses(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    report = await run(sessionmaker, write_wxr(tmp_path / "site.xml", sample_site()))

    assert report.posts_created == 6  # the attachment is left out
    hello = await post_by_slug(session, "hello-world")
    assert hello.status == "published"
    assert hello.published_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert hello.created_at == hello.published_at
    assert hello.content_raw == "Hello **world**."
    assert hello.content_html == "<p>Hello <strong>world</strong>.</p>\n"
    assert await tag_names(session, hello) == ["News", "Python"]
    draft = await post_by_slug(session, "a-draft")  # no slug in the file: made from the title
    assert (draft.status, draft.published_at) == ("draft", None)
    scheduled = await post_by_slug(session, "coming-soon")
    assert scheduled.status == "scheduled"
    assert scheduled.published_at == datetime(2099, 1, 1, 8, 30, tzinfo=UTC)
    page = await post_by_slug(session, "about")
    assert await tag_names(session, page) == ["page"]
    assert (await post_by_slug(session, "secret")).status == "draft"
    in_review = await post_by_slug(session, "for-review")
    assert (in_review.status, in_review.published_at) == ("pending_review", None)
    versions = await session.scalar(
        select(func.count()).select_from(PostVersion).where(PostVersion.post_id == hello.id)
    )
    assert versions == 1


async def test_comments_keep_their_threads_and_moderation(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    await run(sessionmaker, write_wxr(tmp_path / "site.xml", sample_site()))
    hello = await post_by_slug(session, "hello-world")
    comments = (
        await session.scalars(
            select(Comment).where(Comment.post_id == hello.id).order_by(Comment.path)
        )
    ).all()

    assert [c.content_raw for c in comments] == [
        "First!",
        "A reply to the first",
        "A reply to the reply",
        "Second *root*",
        "Waiting for moderation",
    ]  # the spam comment is left out
    first, reply, nested, second, pending = comments
    assert (first.depth, reply.depth, nested.depth, second.depth) == (0, 1, 2, 0)
    assert reply.parent_id == first.id
    assert nested.parent_id == reply.id
    assert nested.root_id == first.id
    assert nested.created_at == datetime(2024, 5, 2, 11, tzinfo=UTC)
    assert pending.status == "pending"
    assert hello.comments_count == 4  # the visible ones
    alice = await session.scalar(select(User).where(User.username == "alice"))
    assert alice is not None
    assert second.author_id == alice.id  # comment_user_id of an author of the file
    assert first.author_id is None  # a guest without an account


async def test_old_urls_become_old_slugs(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    item = WxrItem(1, "Moved", "moved", link="https://old.example.com/2019/01/first-name/")
    item.old_slugs = ["older-name"]
    await run(sessionmaker, write_wxr(tmp_path / "site.xml", [item]))
    post = await post_by_slug(session, "moved")

    old = await session.scalars(select(PostSlug.slug).where(PostSlug.post_id == post.id))
    assert sorted(old) == ["first-name", "older-name"]
    url = await session.scalar(
        select(ImportedRecord.url).where(ImportedRecord.target_id == post.id)
    )
    assert url == "https://old.example.com/2019/01/first-name/"


async def test_a_taken_slug_gets_a_number(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    items = [WxrItem(1, "One", "same"), WxrItem(2, "Two", "same")]
    await run(sessionmaker, write_wxr(tmp_path / "site.xml", items))

    slugs = await session.scalars(select(Post.slug).where(Post.title.in_(["One", "Two"])))
    assert sorted(slugs) == ["same", "same-2"]


async def test_authors_match_accounts_by_email_and_new_ones_have_no_password(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    existing = await create_user(session, username="alice", email="alice@example.com")
    authors = [
        wxr_author(1, "alice", "ALICE@example.com", "Alice"),
        wxr_author(2, "bob", "bob@example.com", "Bob Builder"),
        wxr_author(3, "Bob", "other-bob@example.com", "Another Bob"),
    ]
    items = [WxrItem(1, "By Alice", "by-alice"), WxrItem(2, "By Bob", "by-bob", creator="bob")]
    report = await run(sessionmaker, write_wxr(tmp_path / "site.xml", items, authors))

    assert (report.authors_matched, report.authors_created) == (1, 2)
    assert (await post_by_slug(session, "by-alice")).author_id == existing.id
    bobs = (await session.scalars(select(User).where(User.email.like("%bob@example.com")))).all()
    assert sorted(u.username for u in bobs) == ["bob", "bob-2"]
    assert {u.password_hash for u in bobs} == {UNUSABLE_PASSWORD}
    assert {u.display_name for u in bobs} == {"Bob Builder", "Another Bob"}


async def test_a_second_run_adds_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    path = write_wxr(tmp_path / "site.xml", sample_site())
    await run(sessionmaker, path)
    counts = [
        await session.scalar(select(func.count()).select_from(t)) for t in (Post, Comment, User)
    ]

    again = await run(sessionmaker, path)

    assert (again.posts_created, again.posts_skipped, again.authors_created) == (0, 6, 0)
    after = [
        await session.scalar(select(func.count()).select_from(t)) for t in (Post, Comment, User)
    ]
    assert after == counts


async def test_a_run_cut_short_is_completed_by_the_next(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    items = [WxrItem(n, f"Post {n}", f"batch-post-{n}") for n in range(1, 6)]
    path = write_wxr(tmp_path / "site.xml", items)
    broken = path.read_text().replace("</channel>", "<item><title>cut")
    cut = tmp_path / "cut.xml"
    cut.write_text(broken)

    importer = Importer(sessionmaker, source="wordpress", batch_size=2)
    with pytest.raises(ImportFileInvalid):
        await importer.run(read_wordpress(cut))
    assert importer.report.posts_created == 4  # two batches were committed
    report = await run(sessionmaker, path)

    titles = await session.scalars(select(Post.title).where(Post.slug.like("batch-post-%")))
    assert sorted(titles) == [f"Post {n}" for n in range(1, 6)]
    assert (report.posts_created, report.posts_skipped) == (1, 4)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><title>&lol3;</title></channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_xml_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(document)

    with pytest.raises(ImportFileInvalid, match="refused XML"):
        list(read_wordpress(path))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("<rss><channel><title>open", "not well-formed"),
        ("<rss><nothing/></rss>", "no <channel>"),
    ],
)
def test_broken_files_are_refused_with_a_reason(
    tmp_path: Path, document: str, message: str
) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(document)

    with pytest.raises(ImportFileInvalid, match=message):
        list(read_wordpress(path))


async def test_a_post_by_an_author_not_in_the_file_is_left_out_and_named(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    items = [WxrItem(1, "Known", "known-author"), WxrItem(2, "Orphan", "orphan", creator="nobody")]
    report = await run(sessionmaker, write_wxr(tmp_path / "site.xml", items))

    assert report.posts_created == 1
    assert report.errors == ["post 2: unknown author 'nobody'"]
    assert await session.scalar(select(Post.id).where(Post.slug == "orphan")) is None
