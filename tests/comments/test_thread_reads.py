"""A page of threads is one statement after the post: the same trees for every reader and
sort, with placeholders, paging and the count past the last page; anonymous reads only borrow
pooled connections; the same answers without driver reads; and the page's validator."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.blocks.repository import BlockRepository
from inkwell.comments.records import ThreadPage
from inkwell.comments.repository import CommentRepository
from inkwell.comments.schemas import CommentUpdate, ThreadParams
from inkwell.comments.service import CommentService
from inkwell.core.db import DriverSelect, create_read_sessionmaker
from inkwell.core.state import AppState
from inkwell.models.user import User
from inkwell.posts.records import PostRow
from inkwell.posts.repository import PostRepository
from tests.comments.conftest import COMMENTS, comment, thread_url
from tests.factories import create_post, outbox
from tests.posts.conftest import Account, StatementCounter

# How each reader sees the thread built by `moderated_thread` (newest roots first). A full
# comment is its text, with its status when it is not visible; a placeholder kept for its
# replies is "[deleted]" or "[hidden]".
ANONYMOUS = [
    ("r5", []),
    ("[deleted]", [("v2", [])]),
    ("r1", [("[hidden]", [("v1", [])])]),
]
WRITER = [  # bob wrote r1 to r4 and sees his own pending comments
    ("r5", []),
    ("r4 pending", []),
    ("[hidden]", [("p3 pending", [])]),
    ("[deleted]", [("v2", [])]),
    ("r1", [("[hidden]", [("v1", [])]), ("p1 pending", [])]),
]
MODERATORS = [  # the post's author and moderators see hidden and pending comments in full
    ("r5", []),
    ("r4 pending", []),
    ("r3 hidden", [("p3 pending", [])]),
    ("[deleted]", [("v2", [])]),
    ("r1", [("h1 hidden", [("v1", [])]), ("p1 pending", [])]),
]
OLDEST = {  # the same trees, oldest roots first
    "anonymous": [
        ("r1", [("[hidden]", [("v1", [])])]),
        ("[deleted]", [("v2", [])]),
        ("r5", []),
    ],
    "bob": [
        ("r1", [("[hidden]", [("v1", [])]), ("p1 pending", [])]),
        ("[deleted]", [("v2", [])]),
        ("[hidden]", [("p3 pending", [])]),
        ("r4 pending", []),
        ("r5", []),
    ],
    "alice": [
        ("r1", [("h1 hidden", [("v1", [])]), ("p1 pending", [])]),
        ("[deleted]", [("v2", [])]),
        ("r3 hidden", [("p3 pending", [])]),
        ("r4 pending", []),
        ("r5", []),
    ],
}
NEWEST = {"anonymous": ANONYMOUS, "bob": WRITER, "alice": MODERATORS, "mod": MODERATORS}
OLDEST["mod"] = OLDEST["alice"]
# Visible, live comments: r1, v1, v2, r5.
TOTAL = 4


def tree(items: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    return [(_label(item), tree(item["replies"])) for item in items]


def _label(item: dict[str, Any]) -> str:
    if item["content_html"] is None:
        assert (item["author"], item["content_raw"]) == (None, None)
        return "[deleted]" if item["deleted"] else f"[{item['status']}]"
    text = re.sub(r"<[^>]+>|\n", "", item["content_html"])
    return text if item["status"] == "visible" else f"{text} {item['status']}"


def authors(items: list[dict[str, Any]]) -> list[Any]:
    """Each comment's author and whether its Markdown source was sent, in thread order."""
    found: list[Any] = []
    for item in items:
        author = item["author"]["username"] if item["author"] else None
        found.append((author, item["content_raw"] is not None))
        found.extend(authors(item["replies"]))
    return found


@pytest.fixture(params=[True, False], ids=["driver_reads", "sqlalchemy_reads"])
async def reads_client(
    request: pytest.FixtureRequest, app_state: AppState, lending_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    """An API client whose read sessions run DriverSelects on the driver, or (param False,
    as with INKWELL_DB_DRIVER_READS=false) through SQLAlchemy."""
    async with _client(app_state, lending_engine, driver_reads=request.param) as client:
        yield client


@pytest.fixture
async def driver_reads_client(
    app_state: AppState, lending_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    """An API client whose read sessions run DriverSelects on the driver, whatever
    INKWELL_DB_DRIVER_READS says (CI runs the suite once each way)."""
    async with _client(app_state, lending_engine, driver_reads=True) as client:
        yield client


def _client(state: AppState, engine: AsyncEngine, *, driver_reads: bool) -> httpx.AsyncClient:
    from tests.conftest import api_client  # noqa: PLC0415

    reads = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    state.read_sessionmaker = create_read_sessionmaker(reads, driver_reads=driver_reads)
    return api_client(state)


async def moderated_thread(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> PostRow:
    """A post by alice that holds comments for approval, with a comment of every kind:
    r1 (with h1 hidden above a visible v1, p1 pending, d1 deleted), r2 deleted above a
    visible v2, r3 hidden above bob's pending p3, r4 pending, r5 by alice."""
    post = await create_post(session, alice.user, title="Moderated", moderate_comments=True)

    async def write(who: Account, text: str, parent: dict[str, Any] | None = None) -> str:
        made = await comment(client, who, post, text, parent=parent["id"] if parent else None)
        return str(made["id"])

    async def act(who: Account, comment_id: str, action: str) -> None:
        if action == "delete":
            response = await client.delete(f"{COMMENTS}/{comment_id}", headers=who.headers)
        else:
            url = f"{COMMENTS}/{comment_id}/{action}"
            response = await client.post(url, headers=who.headers)
        assert response.status_code in {200, 204}, response.text

    r1 = await write(bob, "r1")
    await act(alice, r1, "approve")
    h1 = await write(bob, "h1", {"id": r1})
    await act(alice, h1, "approve")
    await write(alice, "v1", {"id": h1})
    await act(alice, h1, "hide")
    await write(bob, "p1", {"id": r1})
    d1 = await write(bob, "d1", {"id": r1})
    await act(alice, d1, "approve")
    await act(bob, d1, "delete")
    r2 = await write(bob, "r2")
    await act(alice, r2, "approve")
    await write(alice, "v2", {"id": r2})
    await act(bob, r2, "delete")
    r3 = await write(bob, "r3")
    await act(alice, r3, "approve")
    await write(bob, "p3", {"id": r3})
    await act(alice, r3, "hide")
    await write(bob, "r4")
    await write(alice, "r5")
    return post


async def test_every_reader_and_sort_gets_its_tree(
    reads_client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
) -> None:
    post = await moderated_thread(reads_client, session, alice, bob)
    readers = {
        "anonymous": {},
        "bob": bob.headers,
        "alice": alice.headers,
        "mod": moderator.headers,
    }
    for name, headers in readers.items():
        for sort, expected in (("newest", NEWEST[name]), ("oldest", OLDEST[name])):
            response = await reads_client.get(
                thread_url(post), params={"sort": sort}, headers=headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert tree(body["items"]) == expected, (name, sort)
            assert (body["total"], body["threads"]) == (TOTAL, len(expected)), (name, sort)
            assert (body["page"], body["page_size"]) == (1, 20)


async def test_authors_and_sources_are_shown_as_before(
    reads_client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await moderated_thread(reads_client, session, alice, bob)
    anonymous = (await reads_client.get(thread_url(post))).json()["items"]
    as_bob = (await reads_client.get(thread_url(post), headers=bob.headers)).json()["items"]
    assert authors(anonymous) == [
        ("alice", False),  # r5
        (None, False),  # r2, deleted
        ("alice", False),  # v2
        ("bob", False),  # r1
        (None, False),  # h1, hidden
        ("alice", False),  # v1
    ]
    assert authors(as_bob) == [
        ("alice", False),  # r5
        ("bob", True),  # r4
        (None, False),  # r3, hidden
        ("bob", True),  # p3
        (None, False),  # r2, deleted
        ("alice", False),  # v2
        ("bob", True),  # r1
        (None, False),  # h1, hidden
        ("alice", False),  # v1
        ("bob", True),  # p1
    ]
    first = as_bob[-1]
    assert first["author"] == {"username": "bob", "display_name": None, "avatar_url": None}
    assert (first["depth"], first["parent_id"], first["post_id"]) == (0, None, str(post.id))
    assert first["replies"][0]["parent_id"] == first["id"]


async def test_pages_split_the_roots_and_past_the_end_keeps_the_count(
    reads_client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
) -> None:
    post = await moderated_thread(reads_client, session, alice, bob)
    readers = {"anonymous": {}, "bob": bob.headers, "mod": moderator.headers}
    for name, headers in readers.items():
        for sort, expected in (("newest", NEWEST[name]), ("oldest", OLDEST[name])):
            pages = []
            for page in (1, 2, 3, 4, 9):
                params = {"sort": sort, "page": page, "page_size": 2}
                response = await reads_client.get(thread_url(post), params=params, headers=headers)
                found = response.json()
                assert (found["threads"], found["total"]) == (len(expected), TOTAL)
                pages.append(tree(found["items"]))
            chunks = [expected[n : n + 2] for n in (0, 2, 4, 6, 16)]
            assert pages == chunks, (name, sort)
            assert pages[3:] == [[], []]


async def test_a_thread_read_is_one_statement_with_the_post(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
    sql_statements: StatementCounter,
) -> None:
    """The post and the page come in one statement for every reader whose scope does not
    depend on the post; its author (alice) sees more than on other posts: a second read."""
    post = await moderated_thread(client, session, alice, bob)
    readers: tuple[tuple[dict[str, str], int], ...] = (
        ({}, 1),
        (bob.headers, 1),
        (moderator.headers, 1),
        (alice.headers, 2),
    )
    for params in ({}, {"sort": "oldest"}, {"page": 2, "page_size": 2}, {"page": 50}):
        for ref in (post.slug, str(post.id)):
            for headers, statements in readers:
                sql_statements.reset()
                response = await client.get(thread_url(ref), params=params, headers=headers)
                assert response.status_code == 200
                signed_in = 1 if headers else 0  # the caller's principal
                assert sql_statements.count == signed_in + statements, sql_statements.statements
                assert "ORDER BY page.created_at" in sql_statements.statements[-1]


async def test_an_old_slug_and_a_hidden_post_are_resolved_as_other_reads_do(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
) -> None:
    post = await moderated_thread(client, session, alice, bob)
    expected = tree((await client.get(thread_url(post))).json()["items"])
    renamed = await client.patch(
        f"/api/v1/posts/{post.id}", json={"slug": "moved-on"}, headers=alice.headers
    )
    assert renamed.status_code == 200, renamed.text
    for ref in (post.slug, "moved-on"):
        response = await client.get(thread_url(ref))
        assert response.status_code == 200
        assert tree(response.json()["items"]) == expected
    unpublished = await client.post(f"/api/v1/posts/{post.id}/unpublish", headers=alice.headers)
    assert unpublished.status_code == 200
    for ref in ("moved-on", post.slug, str(post.id)):
        assert (await client.get(thread_url(ref))).status_code == 404
        assert (await client.get(thread_url(ref), headers=bob.headers)).status_code == 404
        assert (await client.get(thread_url(ref), headers=alice.headers)).status_code == 200
    assert (await client.get(thread_url("no-such-post"))).status_code == 404
    assert (await client.get(thread_url(str(uuid.uuid4())))).status_code == 404


async def test_an_anonymous_thread_read_only_borrows_pooled_connections(
    *,
    driver_reads_client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    sql_statements: StatementCounter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No session is begun: each statement runs on a connection borrowed for it alone."""
    post = await moderated_thread(driver_reads_client, session, alice, bob)
    borrowed: list[str] = []
    borrowing = DriverSelect._borrowing

    async def record(engine: AsyncEngine, sql: str, arguments: list[Any]) -> Sequence[Any]:
        borrowed.append(sql)
        return await borrowing(engine, sql, arguments)

    monkeypatch.setattr(DriverSelect, "_borrowing", staticmethod(record))
    for ref in (str(post.id), post.slug):
        borrowed.clear()
        sql_statements.reset()
        response = await driver_reads_client.get(thread_url(ref))
        assert tree(response.json()["items"]) == ANONYMOUS
        assert len(borrowed) == len(sql_statements.statements) == 1, sql_statements.statements


def _service(session: AsyncSession) -> CommentService:
    return CommentService(
        comments=CommentRepository(session),
        posts=PostRepository(session),
        blocks=BlockRepository(session),
        max_depth=5,
        events=outbox(session),
    )


async def _page(
    session: AsyncSession, post: PostRow, viewer: User | None = None, **params: Any
) -> ThreadPage:
    return await _service(session).threads(
        post_ref=str(post.id), viewer=viewer, params=ThreadParams(**params)
    )


async def test_the_page_validator_follows_what_the_body_shows(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await moderated_thread(client, session, alice, bob)
    first = await _page(session, post)
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', first.etag)
    assert (await _page(session, post)).etag == first.etag  # nothing changed
    others = {
        first.etag,
        (await _page(session, post, sort="oldest")).etag,
        (await _page(session, post, page=2, page_size=2)).etag,
        (await _page(session, post, page_size=2)).etag,
        (await _page(session, post, viewer=bob.user)).etag,
        (await _page(session, post, viewer=alice.user)).etag,
    }
    assert len(others) == 6  # page, size, sort and reader each give their own
    r5 = next(item for item in first.items if item.record.comment.content_raw == "r5")
    await _service(session).update(
        comment_id=r5.record.comment.id, editor=alice.user, data=CommentUpdate(content="r5!")
    )
    edited = await _page(session, post)
    assert edited.etag != first.etag
    alice.user.display_name = "Alice"
    await session.flush()
    renamed = await _page(session, post)
    assert renamed.etag not in {first.etag, edited.etag}
    await _service(session).hide(comment_id=r5.record.comment.id, user=alice.user)
    hidden = await _page(session, post)
    assert hidden.etag not in {first.etag, edited.etag, renamed.etag}
    alice.user.deleted_at = datetime.now(UTC)  # her account closes: her comments lose their author
    await session.flush()
    closed = await _page(session, post)
    assert [node.record.author for node in closed.items[0].replies] == [None]  # v2
    assert closed.etag not in {first.etag, edited.etag, renamed.etag, hidden.etag}
