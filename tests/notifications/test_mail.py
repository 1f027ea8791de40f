"""Notification e-mail: at once and in a daily digest as each recipient's settings say, once
per notification, only to verified addresses about what is still there, each message with a
one-click unsubscribe that works (RFC 8058); and the unsubscribe links themselves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.jobs.tasks import mail_notifications
from inkwell.models.mail import OutgoingMail
from inkwell.models.notification import EmailDelivery, Notification, NotificationKind
from inkwell.models.user import User
from inkwell.notifications.consumer import notifications_consumer
from inkwell.notifications.mailing import DIGEST_ITEMS
from inkwell.notifications.unsubscribe import (
    Unsubscribe,
    read_unsubscribe_token,
    unsubscribe_token,
)
from inkwell.posts.records import PostRow
from tests.factories import create_post
from tests.mail.support import queued_mail
from tests.notifications.conftest import (
    NOTIFICATIONS,
    SETTINGS,
    USERS,
    Pump,
    comment_on,
    listed,
    put,
)
from tests.posts.conftest import Account

UNSUBSCRIBE = f"{NOTIFICATIONS}/unsubscribe"


async def verify(session: AsyncSession, *accounts: Account) -> None:
    ids = [a.user.id for a in accounts]
    await session.execute(update(User).where(User.id.in_(ids)).values(email_verified_at=func.now()))
    await session.commit()


async def consume(pump: Pump, settings: Settings) -> None:
    """Hand the new outbox rows to the consumer as the worker runs it (mail included)."""
    rows = await pump._rows(pump.done)
    if rows:
        await notifications_consumer(settings).handle(pump.session, rows)
        await pump.session.commit()
        pump.done = rows[-1].position


def one_click_token(mail: OutgoingMail) -> str:
    url = mail.headers["List-Unsubscribe"].strip("<>")
    return parse_qs(urlsplit(url).query)["token"][0]


async def choose(client: httpx.AsyncClient, who: Account, **settings: dict[str, object]) -> None:
    response = await client.put(SETTINGS, json=settings, headers=who.headers)
    assert response.status_code == 200, response.text


# At once


async def test_a_comment_is_mailed_at_once_with_a_one_click_unsubscribe(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)

    [mail] = await queued_mail(session, alice.user.email)
    assert mail.subject == "bob commented on “Alice writes”"
    assert "Words by bob." in mail.text_body
    assert f"/posts/{post.slug}" in mail.text_body
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith(f"{app_state.settings.api_base}{UNSUBSCRIBE}?token=")
    assert read_unsubscribe_token(app_state.settings, one_click_token(mail)) == Unsubscribe(
        alice.user.id, NotificationKind.COMMENT
    )
    # Handed over again, or swept by the hourly job: nothing more is mailed.
    await pump.replay()
    assert await mail_notifications(session, app_state.settings, NOW) == 0
    assert len(await queued_mail(session, alice.user.email)) == 1
    assert await queued_mail(session, bob.user.email) == []


# A time after every post the tests write (tomorrow): the senders read posts as public at the
# time they are given.
NOW = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


async def test_an_unverified_address_gets_no_notification_mail(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)
    assert await queued_mail(session, alice.user.email) == []
    # ... and verifying later does not mail the past.
    await verify(session, alice)
    assert await mail_notifications(session, app_state.settings, NOW) == 0
    assert await queued_mail(session, alice.user.email) == []


async def test_a_kind_switched_off_by_mail_is_not_mailed(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    await choose(client, alice, comment={"in_app": True, "email": "off"})
    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)
    assert [i["kind"] for i in await listed(client, alice)] == ["comment"]
    assert await queued_mail(session, alice.user.email) == []


async def test_a_kind_kept_out_of_the_app_is_still_mailed_and_not_listed(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    await choose(client, alice, comment={"in_app": False, "email": "immediate"})
    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)
    assert len(await queued_mail(session, alice.user.email)) == 1
    assert await listed(client, alice) == []
    count = await client.get(f"{NOTIFICATIONS}/unread-count", headers=alice.headers)
    assert count.json() == {"unread": 0}


async def test_a_comment_deleted_before_the_mail_goes_is_not_mailed(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    written = await comment_on(client, bob, post)
    await pump.run()  # the notification only: its mail waits for the hourly job
    deleted = await client.delete(f"/api/v1/comments/{written['id']}", headers=bob.headers)
    assert deleted.status_code == 204, deleted.text
    assert await mail_notifications(session, app_state.settings, NOW) == 0
    assert await queued_mail(session, alice.user.email) == []
    pending = select(func.count()).where(Notification.emailed_at.is_(None))
    assert await session.scalar(pending) == 0  # looked at once, not again


async def test_grouped_likes_are_mailed_again_as_the_group_grows(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    await choose(client, alice, like={"in_app": True, "email": "immediate"})
    await put(client, f"/api/v1/posts/{post.id}/like", bob)
    await consume(pump, app_state.settings)
    await put(client, f"/api/v1/posts/{post.id}/like", carol)
    await consume(pump, app_state.settings)
    subjects = [m.subject for m in await queued_mail(session, alice.user.email)]
    assert subjects == ["bob liked “Alice writes”", "carol and 1 others liked “Alice writes”"]


# The daily digest


async def follow_and_publish(
    client: httpx.AsyncClient, session: AsyncSession, author: Account, *followers: Account
) -> list[PostRow]:
    for follower in followers:
        await put(client, f"{USERS}/{author.user.username}/follow", follower)
    return [await create_post(session, author.user, title=f"Post {n}") for n in range(3)]


async def test_the_digest_mails_each_recipient_once_in_its_hour(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    carol: Account,
) -> None:
    await verify(session, bob, carol)
    await follow_and_publish(client, session, alice, bob, carol)
    await consume(pump, app_state.settings)
    settings = app_state.settings
    assert await queued_mail(session, bob.user.email) == []  # new posts are daily by default

    other_hour = NOW.replace(hour=(settings.notification_digest_hour + 1) % 24)
    assert await mail_notifications(session, settings, other_hour) == 0
    digest_hour = NOW.replace(hour=settings.notification_digest_hour)
    assert await mail_notifications(session, settings, digest_hour) == 2
    assert await mail_notifications(session, settings, digest_hour) == 0

    [mail] = await queued_mail(session, bob.user.email)
    assert mail.subject == "Your Inkwell digest: 3 new notifications"
    lines = [line for line in mail.text_body.splitlines() if line.startswith("- ")]
    assert lines == [f"- alice published “Post {n}”" for n in (2, 1, 0)]
    assert read_unsubscribe_token(settings, one_click_token(mail)) == Unsubscribe(bob.user.id, None)
    assert len(await queued_mail(session, carol.user.email)) == 1


async def test_a_long_digest_lists_the_latest_and_counts_the_rest(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
) -> None:
    await verify(session, bob)
    await put(client, f"{USERS}/alice/follow", bob)
    for n in range(DIGEST_ITEMS + 2):
        await create_post(session, alice.user, title=f"Post {n}")
    await consume(pump, app_state.settings)
    digest_hour = NOW.replace(hour=app_state.settings.notification_digest_hour)
    await mail_notifications(session, app_state.settings, digest_hour)
    [mail] = await queued_mail(session, bob.user.email)
    assert f"Post {DIGEST_ITEMS + 1}" in mail.text_body
    assert "“Post 1”" not in mail.text_body
    assert "... and 2 more in Inkwell." in mail.text_body


# Unsubscribing


async def test_one_click_unsubscribe_stops_that_kind_and_keeps_the_app(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    pump: Pump,
    alice: Account,
    bob: Account,
    post: PostRow,
) -> None:
    await verify(session, alice)
    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)
    [mail] = await queued_mail(session, alice.user.email)
    token = one_click_token(mail)

    for _ in range(2):  # as a mail client posts it; a second use changes nothing
        answer = await client.post(
            UNSUBSCRIBE,
            params={"token": token},
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"unsubscribed": ["comment"]}
    kinds = (await client.get(SETTINGS, headers=alice.headers)).json()
    assert kinds["comment"] == {"in_app": True, "email": "off"}
    assert kinds["reply"]["email"] == "immediate"

    await comment_on(client, bob, post)
    await consume(pump, app_state.settings)
    assert len(await queued_mail(session, alice.user.email)) == 1
    assert len(await listed(client, alice)) == 2


async def test_the_digest_link_stops_every_kind_of_mail(
    client: httpx.AsyncClient, app_state: AppState, alice: Account
) -> None:
    token = unsubscribe_token(app_state.settings, Unsubscribe(alice.user.id, None))
    answer = await client.post(UNSUBSCRIBE, params={"token": token})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["unsubscribed"]) == {kind.value for kind in NotificationKind}
    kinds = (await client.get(SETTINGS, headers=alice.headers)).json()
    assert {k: v["email"] for k, v in kinds.items()} == {k.value: "off" for k in NotificationKind}
    assert all(v["in_app"] for v in kinds.values())


@pytest.mark.parametrize("change", ["tampered", "other secret", "garbage", "unknown user"])
async def test_a_bad_unsubscribe_link_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, app_state: AppState, alice: Account, change: str
) -> None:
    settings = app_state.settings
    wish = Unsubscribe(alice.user.id, NotificationKind.COMMENT)
    token = unsubscribe_token(settings, wish)
    if change == "tampered":
        other = Unsubscribe(uuid.uuid4(), NotificationKind.COMMENT)
        token = unsubscribe_token(settings, other).split(".")[0] + "." + token.split(".")[1]
    elif change == "other secret":
        stranger = settings.model_copy(update={"jwt_secret": SecretStr("s" * 48)})
        token = unsubscribe_token(stranger, wish)
    elif change == "garbage":
        token = "not a token!"
    else:
        token = unsubscribe_token(settings, Unsubscribe(uuid.uuid4(), None))
    answer = await client.post(UNSUBSCRIBE, params={"token": token})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "link_invalid"
    kinds = (await client.get(SETTINGS, headers=alice.headers)).json()
    assert kinds["comment"]["email"] == EmailDelivery.IMMEDIATE.value


async def test_unsubscribing_needs_a_post_and_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(UNSUBSCRIBE, params={"token": "x"})).status_code == 405
    missing = await client.post(UNSUBSCRIBE)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "token"


def test_tokens_name_the_user_and_kind_and_nothing_else(settings: Settings) -> None:
    user = uuid.uuid4()
    for kind in [*NotificationKind, None]:
        token = unsubscribe_token(settings, Unsubscribe(user, kind))
        assert read_unsubscribe_token(settings, token) == Unsubscribe(user, kind)
        assert read_unsubscribe_token(settings, token + "A") is None
        assert read_unsubscribe_token(settings, token[1:]) is None
    assert read_unsubscribe_token(settings, "") is None
    assert read_unsubscribe_token(settings, "....") is None
