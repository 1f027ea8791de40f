"""The review flow through /api/v1 with each role: submit, withdraw, approve (now or
scheduled), request changes with a note; a contributor cannot publish; wrong states are 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import (
    PostApproved,
    PostChangesRequested,
    PostPublished,
    PostSubmitted,
    PostUnpublished,
    PostWithdrawn,
)
from inkwell.models.user import Role
from tests.editorial.conftest import POSTS, act, write
from tests.events.support import last_position, the_event, types_since
from tests.posts.conftest import Account

REVIEWERS = {Role.EDITOR, Role.ADMIN}


@pytest.mark.parametrize("status", ["published", "scheduled"])
async def test_a_contributor_cannot_create_a_public_post(
    client: httpx.AsyncClient, roles: dict[Role, Account], status: str
) -> None:
    when = (datetime.now(UTC) + timedelta(days=1)).isoformat() if status == "scheduled" else None
    body = {"title": "Hi", "content_raw": "x", "status": status, "published_at": when}
    response = await client.post(POSTS, json=body, headers=roles[Role.CONTRIBUTOR].headers)
    assert response.status_code == 403
    assert response.json()["code"] == "review_required"


async def test_a_contributor_cannot_publish_a_draft_any_way(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    contributor = roles[Role.CONTRIBUTOR]
    draft = await write(client, contributor)
    patched = await client.patch(
        f"{POSTS}/{draft['id']}", json={"status": "published"}, headers=contributor.headers
    )
    published = await act(client, contributor, draft, "publish")
    for response in (patched, published):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "review_required"
    edited = await client.patch(
        f"{POSTS}/{draft['id']}", json={"title": "Better"}, headers=contributor.headers
    )
    assert edited.status_code == 200
    assert edited.json()["status"] == "draft"


async def test_pending_review_cannot_be_set_directly(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    author = roles[Role.AUTHOR]
    body = {"title": "Hi", "content_raw": "x", "status": "pending_review"}
    assert (await client.post(POSTS, json=body, headers=author.headers)).status_code == 422
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("PostCreate", "PostUpdate"):
        status = schemas[name]["properties"]["status"]
        enum = status.get("enum") or status["anyOf"][0]["enum"]
        assert "pending_review" not in enum
        assert "published" in enum


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_submits_its_own_draft(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account], role: Role
) -> None:
    who = roles[role]
    draft = await write(client, who)
    start = await last_position(session)
    response = await act(client, who, draft, "submit")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pending_review"
    data = await the_event(session, PostSubmitted, start, draft["id"])
    assert (data.status, data.actor_id) == ("pending_review", who.user.id)
    again = await act(client, who, draft, "submit")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_status_transition"


async def test_a_post_in_review_is_not_public_nor_listed(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.CONTRIBUTOR])
    await act(client, roles[Role.CONTRIBUTOR], post, "submit")
    assert (await client.get(f"{POSTS}/{post['id']}")).status_code == 404
    listed = (await client.get(POSTS)).json()["items"]
    assert post["id"] not in [item["id"] for item in listed]
    other = await client.get(f"{POSTS}/{post['id']}", headers=roles[Role.AUTHOR].headers)
    assert other.status_code == 404
    for role in (Role.MODERATOR, Role.EDITOR, Role.ADMIN):
        seen = await client.get(f"{POSTS}/{post['id']}", headers=roles[role].headers)
        assert seen.status_code == 200, role


@pytest.mark.parametrize("role", list(Role))
async def test_only_editors_and_admins_approve(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account], role: Role
) -> None:
    post = await write(client, roles[Role.CONTRIBUTOR])
    await act(client, roles[Role.CONTRIBUTOR], post, "submit")
    start = await last_position(session)
    response = await act(client, roles[role], post, "approve")
    if role not in REVIEWERS:
        expected = 404 if role == Role.AUTHOR else 403  # an author does not see others' drafts
        assert response.status_code == expected, response.text
        assert await types_since(session, start) == []
        return
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published"
    assert await types_since(session, start) == [
        PostApproved.event_type(),
        PostPublished.event_type(),
    ]
    assert (await client.get(f"{POSTS}/{post['id']}")).status_code == 200


async def test_approving_with_a_future_time_schedules(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.CONTRIBUTOR])
    await act(client, roles[Role.CONTRIBUTOR], post, "submit")
    start = await last_position(session)
    when = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    response = await act(client, roles[Role.EDITOR], post, "approve", publish_at=when.isoformat())
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"
    assert response.json()["published_at"] == when.isoformat().replace("+00:00", "Z")
    assert await types_since(session, start) == [PostApproved.event_type()]


@pytest.mark.parametrize("role", list(Role))
async def test_only_editors_and_admins_request_changes(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account], role: Role
) -> None:
    contributor = roles[Role.CONTRIBUTOR]
    post = await write(client, contributor)
    await act(client, contributor, post, "submit")
    start = await last_position(session)
    response = await act(client, roles[role], post, "request-changes", note="Cite sources.")
    if role not in REVIEWERS:
        assert response.status_code in {403, 404}
        assert await types_since(session, start) == []
        return
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    data = await the_event(session, PostChangesRequested, start, post["id"])
    assert (data.note, data.actor_id) == ("Cite sources.", roles[role].user.id)
    reviews = await client.get(f"{POSTS}/{post['id']}/reviews", headers=contributor.headers)
    assert reviews.status_code == 200
    [review] = reviews.json()
    assert (review["outcome"], review["note"], review["reviewer"]) == (
        "changes_requested",
        "Cite sources.",
        role.value,
    )
    # Back to draft: the contributor edits and submits again.
    edited = await client.patch(
        f"{POSTS}/{post['id']}", json={"content_raw": "With sources."}, headers=contributor.headers
    )
    assert edited.status_code == 200
    assert (await act(client, contributor, post, "submit")).status_code == 200


async def test_request_changes_needs_a_note(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.CONTRIBUTOR])
    await act(client, roles[Role.CONTRIBUTOR], post, "submit")
    for body in ({}, {"note": "   "}):
        response = await client.post(
            f"{POSTS}/{post['id']}/request-changes", json=body, headers=roles[Role.EDITOR].headers
        )
        assert response.status_code == 422


async def test_review_actions_need_a_post_in_review(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    editor = roles[Role.EDITOR]
    draft = await write(client, roles[Role.CONTRIBUTOR])
    for action, body in (("approve", {}), ("request-changes", {"note": "n"})):
        response = await act(client, editor, draft, action, **body)
        assert response.status_code == 409, action
        assert response.json()["code"] == "invalid_status_transition"
    assert (await act(client, roles[Role.CONTRIBUTOR], draft, "withdraw")).status_code == 409


async def test_an_author_withdraws_and_a_contributor_cannot_edit_in_review(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account]
) -> None:
    contributor = roles[Role.CONTRIBUTOR]
    post = await write(client, contributor)
    await act(client, contributor, post, "submit")
    edit = await client.patch(
        f"{POSTS}/{post['id']}", json={"title": "Sneaky"}, headers=contributor.headers
    )
    assert edit.status_code == 403
    assert edit.json()["code"] == "review_required"
    by_editor = await client.patch(
        f"{POSTS}/{post['id']}", json={"title": "Tidied"}, headers=roles[Role.EDITOR].headers
    )
    assert by_editor.status_code == 200
    assert by_editor.json()["status"] == "pending_review"
    start = await last_position(session)
    withdrawn = await act(client, contributor, post, "withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "draft"
    await the_event(session, PostWithdrawn, start, post["id"])


async def test_a_contributor_cannot_change_a_published_post(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    contributor = roles[Role.CONTRIBUTOR]
    post = await write(client, contributor)
    await act(client, contributor, post, "submit")
    await act(client, roles[Role.EDITOR], post, "approve")
    for response in (
        await client.patch(
            f"{POSTS}/{post['id']}", json={"title": "x"}, headers=contributor.headers
        ),
        await act(client, contributor, post, "unpublish"),
        await client.delete(f"{POSTS}/{post['id']}", headers=contributor.headers),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "review_required"


async def test_the_review_queue_is_for_editors_and_admins(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    first = await write(client, roles[Role.CONTRIBUTOR], title="First")
    second = await write(client, roles[Role.AUTHOR], title="Second")
    await write(client, roles[Role.CONTRIBUTOR], title="Still a draft")
    await act(client, roles[Role.CONTRIBUTOR], first, "submit")
    await act(client, roles[Role.AUTHOR], second, "submit")
    for role in Role:
        response = await client.get("/api/v1/review-queue", headers=roles[role].headers)
        if role in REVIEWERS:
            assert response.status_code == 200
            body = response.json()
            assert [item["title"] for item in body["items"]] == ["First", "Second"]
            assert body["total"] == 2
        else:
            assert response.status_code == 403, role
            assert response.json()["code"] == "not_editor"
    assert (await client.get("/api/v1/review-queue")).status_code == 401


async def test_an_editor_edits_publishes_and_deletes_anyones_post(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.AUTHOR])
    editor = roles[Role.EDITOR]
    changed = await client.patch(
        f"{POSTS}/{post['id']}", json={"title": "Edited"}, headers=editor.headers
    )
    assert changed.status_code == 200
    assert changed.json()["content_raw"] == "Some *words*."  # editors see the source
    read = await client.get(f"{POSTS}/{post['id']}", headers=editor.headers)
    assert read.json()["content_raw"] == "Some *words*."
    moderated = await client.get(f"{POSTS}/{post['id']}", headers=roles[Role.MODERATOR].headers)
    assert moderated.json()["content_raw"] is None  # a moderator sees the draft, not its source
    assert (await act(client, editor, post, "publish")).json()["status"] == "published"
    moderator = roles[Role.MODERATOR]
    refused = await client.patch(
        f"{POSTS}/{post['id']}", json={"title": "No"}, headers=moderator.headers
    )
    assert refused.status_code == 403
    deleted = await client.delete(f"{POSTS}/{post['id']}", headers=editor.headers)
    assert deleted.status_code == 204


async def test_an_author_unpublishing_a_post_in_review_withdraws_it(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account]
) -> None:
    author = roles[Role.AUTHOR]
    post = await write(client, author)
    await act(client, author, post, "submit")
    start = await last_position(session)
    response = await client.patch(
        f"{POSTS}/{post['id']}", json={"status": "draft"}, headers=author.headers
    )
    assert response.json()["status"] == "draft"
    await the_event(session, PostWithdrawn, start, post["id"])
    assert PostUnpublished.event_type() not in await types_since(session, start)
