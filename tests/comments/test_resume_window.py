"""Resuming with `?since=` reads what live messages are kept: a number before them answers
410 `resume_expired` (the client reads the thread again), one within them answers as ever."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.live import LiveChannel, LiveMessage, post_channel
from inkwell.posts.records import PostRow
from tests.comments.conftest import thread_url


async def _kept(session: AsyncSession, post: PostRow, seqs: range, last: int) -> None:
    """The post's channel reached `last`; only the messages numbered `seqs` are kept."""
    channel = post_channel(post.id)
    session.add(LiveChannel(name=channel, seq=last))
    session.add_all(LiveMessage(channel=channel, seq=seq, payload={}) for seq in seqs)
    await session.flush()


async def test_a_number_before_the_kept_messages_answers_gone(
    client: httpx.AsyncClient, session: AsyncSession, post: PostRow
) -> None:
    await _kept(session, post, range(3, 6), last=5)  # 1 and 2 were pruned

    gone = await client.get(thread_url(post), params={"since": 1})
    edge = await client.get(thread_url(post), params={"since": 2})
    current = await client.get(thread_url(post), params={"since": 5})

    assert (gone.status_code, gone.json()["code"]) == (410, "resume_expired")
    assert "read the comments again" in gone.json()["title"]
    assert (edge.status_code, edge.headers["Live-Seq"]) == (200, "5")
    assert current.status_code == 200


async def test_a_channel_with_nothing_kept_resumes_only_from_its_last_number(
    client: httpx.AsyncClient, session: AsyncSession, post: PostRow
) -> None:
    await _kept(session, post, range(0), last=4)  # every message pruned

    gone = await client.get(thread_url(post), params={"since": 3})
    current = await client.get(thread_url(post), params={"since": 4})

    assert (gone.status_code, gone.json()["code"]) == (410, "resume_expired")
    assert (current.status_code, current.json()["items"]) == (200, [])
