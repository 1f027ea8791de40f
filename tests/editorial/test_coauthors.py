"""Co-authors: the ordered list, who may set it, what co-authors may do, and where the list
shows (post reads and lists, in the same statement; `author=` and RealWorld stay primary)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import PostUpdated
from inkwell.models.user import Role
from tests.editorial.conftest import POSTS, act, write
from tests.events.support import last_position, the_event
from tests.factories import create_user
from tests.posts.conftest import Account, StatementCounter


async def _set(
    client: httpx.AsyncClient, who: Account, post: dict[str, Any], *names: str
) -> httpx.Response:
    return await client.put(
        f"{POSTS}/{post['id']}/authors", json={"authors": list(names)}, headers=who.headers
    )


def _names(post: dict[str, Any]) -> list[str]:
    return [author["username"] for author in post["authors"]]


async def test_a_new_post_has_its_author_as_the_only_author(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.AUTHOR])
    assert _names(post) == ["author"]
    assert "id" not in post["authors"][0]
    assert "email" not in post["authors"][0]


async def test_the_primary_author_sets_the_ordered_list(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account]
) -> None:
    author = roles[Role.AUTHOR]
    post = await write(client, author, status="published")
    start = await last_position(session)
    response = await _set(client, author, post, "author", "Contributor", "editor")
    assert response.status_code == 200, response.text
    assert _names(response.json()) == ["author", "contributor", "editor"]
    data = await the_event(session, PostUpdated, start, post["id"])
    assert data.changed == ["authors"]
    public = (await client.get(f"{POSTS}/{post['slug']}")).json()
    assert _names(public) == ["author", "contributor", "editor"]
    listed = (await client.get(POSTS)).json()["items"]
    assert [_names(item) for item in listed if item["id"] == post["id"]] == [
        ["author", "contributor", "editor"]
    ]


async def test_the_first_becomes_the_primary_author(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.AUTHOR], status="published")
    response = await _set(client, roles[Role.AUTHOR], post, "moderator", "author")
    assert response.json()["author"]["username"] == "moderator"
    by_author = (await client.get(POSTS, params={"author": "moderator"})).json()["items"]
    assert [item["id"] for item in by_author] == [post["id"]]
    # `author=` filters by the primary author (docs/editorial.md).
    assert (await client.get(POSTS, params={"author": "author"})).json()["items"] == []
    article = (await client.get(f"/api/articles/{post['slug']}")).json()["article"]
    assert article["author"]["username"] == "moderator"


async def test_who_may_set_the_authors(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    post = await write(client, roles[Role.AUTHOR], status="published")
    await _set(client, roles[Role.AUTHOR], post, "author", "contributor")
    expected = {
        Role.CONTRIBUTOR: 403,  # a co-author, not the primary
        Role.MODERATOR: 403,
        Role.EDITOR: 200,
        Role.ADMIN: 200,
    }
    for role, status in expected.items():
        response = await _set(client, roles[role], post, "author", "contributor")
        assert response.status_code == status, role
    assert (await _set(client, roles[Role.AUTHOR], post, "author")).status_code == 200
    assert (
        await client.put(f"{POSTS}/{post['id']}/authors", json={"authors": ["author"]})
    ).status_code == 401


async def test_every_listed_user_must_exist_and_be_active(
    client: httpx.AsyncClient, session: AsyncSession, roles: dict[Role, Account]
) -> None:
    await create_user(session, username="gone", is_active=False)
    post = await write(client, roles[Role.AUTHOR])
    for names in (["author", "nobody"], ["author", "gone"]):
        response = await _set(client, roles[Role.AUTHOR], post, *names)
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_authors"
    bodies: list[dict[str, list[str]]] = [{"authors": []}, {"authors": ["author", "AUTHOR"]}]
    for body in bodies:
        response = await client.put(
            f"{POSTS}/{post['id']}/authors", json=body, headers=roles[Role.AUTHOR].headers
        )
        assert response.status_code == 422


async def test_a_coauthor_sees_edits_and_submits_the_draft(
    client: httpx.AsyncClient, roles: dict[Role, Account]
) -> None:
    draft = await write(client, roles[Role.CONTRIBUTOR])
    other = roles[Role.AUTHOR]
    assert (await client.get(f"{POSTS}/{draft['id']}", headers=other.headers)).status_code == 404
    await _set(client, roles[Role.CONTRIBUTOR], draft, "contributor", "author")
    seen = await client.get(f"{POSTS}/{draft['id']}", headers=other.headers)
    assert seen.status_code == 200
    assert seen.json()["content_raw"] == "Some *words*."
    edited = await client.patch(
        f"{POSTS}/{draft['id']}", json={"title": "Together"}, headers=other.headers
    )
    assert edited.status_code == 200
    mine = (await client.get("/api/v1/users/me/posts", headers=other.headers)).json()["items"]
    assert [item["id"] for item in mine] == [draft["id"]]
    versions = await client.get(f"{POSTS}/{draft['id']}/versions", headers=other.headers)
    assert versions.status_code == 200
    link = await client.post(f"{POSTS}/{draft['id']}/preview-links", json={}, headers=other.headers)
    assert link.status_code == 201
    assert (await act(client, other, draft, "submit")).status_code == 200


async def test_the_authors_come_in_the_reads_single_statement(
    client: httpx.AsyncClient,
    roles: dict[Role, Account],
    sql_statements: StatementCounter,
) -> None:
    post = await write(client, roles[Role.AUTHOR], status="published")
    await _set(client, roles[Role.AUTHOR], post, "author", "editor")
    sql_statements.reset()
    response = await client.get(f"{POSTS}/{post['slug']}")
    assert _names(response.json()) == ["author", "editor"]
    assert sql_statements.count == 1, sql_statements.statements
