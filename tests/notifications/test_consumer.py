"""The notifications consumer: every kind, for whom, what it leaves out (oneself, what cannot
be seen, blocked and muted actors, kinds switched off), grouping of likes, the fan-out in
batches, and idempotency (a batch handed over twice, or every event replayed)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import PostPublished
from inkwell.models.notification import EmailDelivery, Notification, NotificationKind
from inkwell.notifications.notifier import Notifier
from inkwell.notifications.records import Origin
from inkwell.notifications.repository import NotificationRepository
from inkwell.posts.records import PostRow
from tests.factories import create_post
from tests.notifications.conftest import (
    COMMENTS,
    POSTS,
    SETTINGS,
    USERS,
    Pump,
    comment_on,
    count_rows,
    listed,
    put,
)
from tests.posts.conftest import Account


async def _kinds(client: httpx.AsyncClient, who: Account) -> list[str]:
    return [item["kind"] for item in await listed(client, who)]


async def test_a_comment_on_your_post_notifies_you_with_its_author_and_excerpt(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account, post: PostRow
) -> None:
    written = await comment_on(client, bob, post)
    await pump.run()

    [item] = await listed(client, alice)
    assert item["kind"] == "comment"
    assert item["read_at"] is None
    assert [actor["username"] for actor in item["actors"]] == ["bob"]
    assert item["actors_count"] == 1
    assert item["post"] == {"id": str(post.id), "slug": post.slug, "title": "Alice writes"}
    assert item["comment"] == {"id": written["id"], "excerpt": "Words by bob."}
    assert await listed(client, bob) == []


async def test_a_reply_notifies_the_comment_author_and_the_post_author_once_each(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    post: PostRow,
) -> None:
    bobs = await comment_on(client, bob, post)
    await comment_on(client, carol, post, parent=bobs["id"])
    await comment_on(client, alice, post, parent=bobs["id"])
    await pump.run()

    # bob: carol's and alice's replies; alice: bob's and carol's comments (not her own reply)
    assert sorted(await _kinds(client, bob)) == ["reply", "reply"]
    alices = await listed(client, alice)
    assert sorted(i["actors"][0]["username"] for i in alices) == ["bob", "carol"]
    assert {i["kind"] for i in alices} == {"comment"}
    assert await listed(client, carol) == []


async def test_a_reply_by_the_post_author_to_their_own_comment_notifies_nobody(
    client: httpx.AsyncClient, pump: Pump, alice: Account, post: PostRow
) -> None:
    own = await comment_on(client, alice, post)
    await comment_on(client, alice, post, parent=own["id"])
    await put(client, f"{POSTS}/{post.id}/like", alice)
    await pump.run()
    assert await count_rows(pump.session) == 0


async def test_likes_are_grouped_per_post_with_the_latest_likers_and_a_count(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    dave: Account,
    post: PostRow,
) -> None:
    for who in (bob, carol, dave):
        await put(client, f"{POSTS}/{post.id}/like", who)
    await pump.run()

    [item] = await listed(client, alice)
    assert item["kind"] == "like"
    assert [a["username"] for a in item["actors"]] == ["dave", "carol", "bob"]
    assert item["actors_count"] == 3
    assert item["post"]["id"] == str(post.id)
    read = await client.post(f"/api/v1/notifications/{item['id']}/read", headers=alice.headers)
    assert read.status_code == 204
    assert (await listed(client, alice))[0]["read_at"] is not None


async def test_a_new_like_marks_the_group_unread_again_and_an_unlike_adds_nothing(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    post: PostRow,
) -> None:
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await pump.run()
    await client.post("/api/v1/notifications/read-all", headers=alice.headers)

    await client.delete(f"{POSTS}/{post.id}/like", headers=bob.headers)
    await put(client, f"{POSTS}/{post.id}/like", bob)  # bob again: still one liker
    await pump.run()
    [item] = await listed(client, alice)
    assert (item["actors_count"], item["read_at"] is not None) == (1, True)

    await put(client, f"{POSTS}/{post.id}/like", carol)
    await pump.run()
    [item] = await listed(client, alice)
    assert item["actors_count"] == 2
    assert [a["username"] for a in item["actors"]] == ["carol", "bob"]
    assert item["read_at"] is None


async def test_a_like_taken_back_before_the_consumer_ran_notifies_nobody(
    client: httpx.AsyncClient, pump: Pump, bob: Account, post: PostRow
) -> None:
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await client.delete(f"{POSTS}/{post.id}/like", headers=bob.headers)
    await pump.run()
    assert await count_rows(pump.session) == 0


async def test_a_new_follower_notifies_the_followed_account(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    await pump.run()
    [item] = await listed(client, alice)
    assert item["kind"] == "follow"
    assert [a["username"] for a in item["actors"]] == ["bob"]
    assert (item["post"], item["comment"]) == (None, None)


async def test_a_follow_taken_back_before_the_consumer_ran_notifies_nobody(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    await client.delete(f"{USERS}/alice/follow", headers=bob.headers)
    await pump.run()
    assert await count_rows(pump.session) == 0


async def test_a_published_post_notifies_every_follower_of_its_author_once(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
) -> None:
    for who in (bob, carol):
        await put(client, f"{USERS}/alice/follow", who)
    await pump.run()
    draft = await create_post(session, alice.user, title="Later", status="draft")
    published = await create_post(session, alice.user, title="Now")
    await pump.run()

    for who in (bob, carol):
        [item] = await listed(client, who)
        assert item["kind"] == "new_post"
        assert item["post"]["id"] == str(published.id)
        assert [a["username"] for a in item["actors"]] == ["alice"]

    # Published, unpublished and published again: still one notification per follower.
    await client.post(f"{POSTS}/{published.id}/unpublish", headers=alice.headers)
    await client.post(f"{POSTS}/{published.id}/publish", headers=alice.headers)
    await pump.run()
    assert len(await listed(client, bob)) == 1
    assert draft.id not in {i["post"]["id"] for i in await listed(client, carol)}


async def test_the_fan_out_goes_in_batches_and_reaches_every_follower(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    carol: Account,
    dave: Account,
) -> None:
    followers = (bob, carol, dave)
    for who in followers:
        await put(client, f"{USERS}/alice/follow", who)
    post = await create_post(session, alice.user)
    event = PostPublished(
        post_id=post.id,
        author_id=alice.user.id,
        actor_id=alice.user.id,
        slug=post.slug,
        title=post.title,
        status="published",
        published_at=post.published_at,
        tags=[],
        revision=1,
    )
    for batch_size in (1, 2, 3):  # the last batch full, short, and exactly the rest
        notifier = Notifier(NotificationRepository(session), datetime.now(UTC), batch_size)
        origin = Origin(event_id=post.id, at=datetime.now(UTC))
        await notifier.post_published(event, origin)
    recipients = await session.scalars(select(Notification.recipient_id))
    assert sorted(recipients) == sorted(who.user.id for who in followers)


async def test_a_post_unpublished_or_deleted_before_the_consumer_ran_notifies_nobody(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    pump: Pump,
    alice: Account,
    bob: Account,
) -> None:
    await put(client, f"{USERS}/alice/follow", bob)
    await pump.run()
    unpublished = await create_post(session, alice.user)
    deleted = await create_post(session, alice.user)
    await client.post(f"{POSTS}/{unpublished.id}/unpublish", headers=alice.headers)
    await put(client, f"{POSTS}/{deleted.id}/like", bob)
    assert (await client.delete(f"{POSTS}/{deleted.id}", headers=alice.headers)).status_code == 204
    await pump.run()
    assert await _kinds(client, bob) == []
    assert await _kinds(client, alice) == ["follow"]


async def test_hidden_deleted_and_pending_comments_notify_nobody_until_shown(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    pump: Pump,
    alice: Account,
    bob: Account,
    moderator: Account,
) -> None:
    plain = await create_post(session, alice.user)
    moderated = await create_post(session, alice.user, moderate_comments=True)
    hidden = await comment_on(client, bob, plain)
    deleted = await comment_on(client, bob, plain)
    pending = await comment_on(client, bob, moderated)
    await client.post(f"{COMMENTS}/{hidden['id']}/hide", headers=moderator.headers)
    await client.delete(f"{COMMENTS}/{deleted['id']}", headers=bob.headers)
    await pump.run()
    assert await _kinds(client, alice) == []

    approved = await client.post(f"{COMMENTS}/{pending['id']}/approve", headers=alice.headers)
    assert approved.status_code == 200, approved.text
    await pump.run()
    [item] = await listed(client, alice)
    assert (item["kind"], item["comment"]["id"]) == ("comment", pending["id"])


async def test_a_hidden_comment_notifies_its_author_and_leaves_the_subjects_of_others(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    moderator: Account,
    post: PostRow,
) -> None:
    written = await comment_on(client, bob, post)
    await pump.run()
    await client.post(f"{COMMENTS}/{written['id']}/hide", headers=moderator.headers)
    await pump.run()

    [told] = await listed(client, bob)
    assert told["kind"] == "comment_hidden"
    assert [a["username"] for a in told["actors"]] == ["mod"]
    assert told["comment"] == {"id": written["id"], "excerpt": "Words by bob."}
    [item] = await listed(client, alice)  # her notification no longer shows the comment
    assert (item["kind"], item["comment"]) == ("comment", None)


async def test_a_moderator_hiding_their_own_comment_is_not_told(
    client: httpx.AsyncClient, pump: Pump, alice: Account, post: PostRow
) -> None:
    own = await comment_on(client, alice, post)
    await client.post(f"{COMMENTS}/{own['id']}/hide", headers=alice.headers)
    await pump.run()
    assert await count_rows(pump.session) == 0


async def test_muted_and_blocked_accounts_notify_nobody(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    post: PostRow,
) -> None:
    # carol liked and followed before alice blocked her; the consumer runs after the block
    await put(client, f"{POSTS}/{post.id}/like", carol)
    await put(client, f"{USERS}/alice/follow", carol)
    await put(client, f"{USERS}/bob/mute", alice, expect=204)
    await put(client, f"{USERS}/carol/block", alice, expect=204)
    await comment_on(client, bob, post)
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await put(client, f"{USERS}/alice/follow", bob)
    await pump.run()
    assert await _kinds(client, alice) == []

    await client.delete(f"{USERS}/bob/mute", headers=alice.headers)
    await comment_on(client, bob, post)
    await pump.run()
    assert await _kinds(client, alice) == ["comment"]


async def test_a_kind_switched_off_in_the_app_makes_no_notification(
    client: httpx.AsyncClient, pump: Pump, alice: Account, bob: Account, post: PostRow
) -> None:
    off = {"like": {"in_app": False, "email": "off"}}
    assert (await client.put(SETTINGS, json=off, headers=alice.headers)).status_code == 200
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await comment_on(client, bob, post)
    await pump.run()
    assert await _kinds(client, alice) == ["comment"]


async def test_each_notification_records_whether_its_recipient_wants_it_mailed(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    daily = {"comment": {"in_app": True, "email": "daily"}}
    assert (await client.put(SETTINGS, json=daily, headers=alice.headers)).status_code == 200
    bobs = await comment_on(client, bob, post)
    await comment_on(client, alice, post, parent=bobs["id"])
    await put(client, f"{POSTS}/{post.id}/like", bob)
    await pump.run()
    found = dict((await session.execute(select(Notification.kind, Notification.email))).all())
    assert found == {
        NotificationKind.COMMENT: EmailDelivery.DAILY,  # alice's choice
        NotificationKind.REPLY: EmailDelivery.IMMEDIATE,  # bob's default
        NotificationKind.LIKE: EmailDelivery.OFF,
    }


async def test_handing_over_the_same_events_twice_or_replaying_them_adds_nothing(
    *,
    client: httpx.AsyncClient,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    post: PostRow,
) -> None:
    bobs = await comment_on(client, bob, post)
    await comment_on(client, carol, post, parent=bobs["id"])
    for who in (bob, carol):
        await put(client, f"{POSTS}/{post.id}/like", who)
    await put(client, f"{USERS}/alice/follow", bob)
    await pump.run()
    before = await listed(client, alice)

    await pump.replay()
    await pump.replay()
    assert await listed(client, alice) == before
    assert len(before) == 4  # two comments, one group of two likes, a follow
    assert next(i for i in before if i["kind"] == "like")["actors_count"] == 2
