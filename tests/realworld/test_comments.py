"""RealWorld comments: integer ids, a flat list of threads, the permission rules of /api/v1."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.factories import create_comment, create_post
from tests.posts.conftest import StatementCounter
from tests.realworld.conftest import TIMESTAMP, Conduit, conduit_user, errors_of, new_article
from tests.realworld.contract import Contract

URL = "/api/articles/how-to-train-your-dragon/comments"


async def add(api: httpx.AsyncClient, who: Conduit, body: str = "Nice.") -> httpx.Response:
    return await api.post(URL, json={"comment": {"body": body}}, headers=who.headers)


async def test_add_comment_answers_it_with_an_integer_id(
    api: httpx.AsyncClient, jake: Conduit, jane: Conduit
) -> None:
    await new_article(api, jake)
    response = await add(api, jane, "His name was my name too.")
    assert response.status_code == 201
    comment = response.json()["comment"]
    assert isinstance(comment["id"], int)
    assert comment["body"] == "His name was my name too."
    assert comment["author"] == {"username": "jane", "bio": None, "image": None, "following": False}
    assert TIMESTAMP.match(comment["createdAt"])
    assert TIMESTAMP.match(comment["updatedAt"])
    threads = (await api.get("/api/v1/posts/how-to-train-your-dragon/comments")).json()
    assert [(c["number"], c["content_raw"]) for c in threads["items"]] == [(comment["id"], None)]


async def test_add_comment_refusals(api: httpx.AsyncClient, jake: Conduit) -> None:
    assert (await api.post("/api/articles/nope/comments", json={})).status_code == 401
    missing = await api.post(
        "/api/articles/nope/comments", json={"comment": {"body": "x"}}, headers=jake.headers
    )
    assert missing.status_code == 404
    assert errors_of(missing) == {"article": ["not found"]}
    await new_article(api, jake)
    for body in ("", "   "):
        blank = await add(api, jake, body)
        assert blank.status_code == 422
        assert list(errors_of(blank)) == ["body"]


async def test_comments_closed_is_a_403(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, contract: Contract
) -> None:
    await create_post(session, jake.user, title="Closed", allow_comments=False)
    with contract.allowing(403):  # the contract has no status for this Inkwell setting
        response = await api.post(
            "/api/articles/closed/comments", json={"comment": {"body": "x"}}, headers=jake.headers
        )
    assert response.status_code == 403
    assert errors_of(response) == {"comment": ["comments are closed on this article"]}


async def test_list_is_flat_newest_first_with_replies(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    post = await create_post(session, jake.user, title="How to train your dragon")
    root = await create_comment(session, post, jane.user, content="root")
    reply = await create_comment(session, post, jake.user, content="reply", parent=root)
    await create_comment(session, post, jane.user, content="deeper", parent=reply)
    await create_comment(session, post, jake.user, content="second root")
    await api.post("/api/profiles/jane/follow", headers=jake.headers)
    response = await api.get(URL, headers=jake.headers)
    assert response.status_code == 200
    comments = response.json()["comments"]
    assert [c["body"] for c in comments] == ["second root", "deeper", "reply", "root"]
    following = {c["author"]["username"]: c["author"]["following"] for c in comments}
    assert following == {"jane": True, "jake": False}
    anonymous = (await api.get(URL)).json()["comments"]
    assert not any(c["author"]["following"] for c in anonymous)


async def test_list_shows_what_any_reader_sees(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    post = await create_post(session, jake.user, title="How to train your dragon")
    hidden = await create_comment(session, post, jane.user, content="hidden")
    gone = await create_comment(session, post, jane.user, content="deleted")
    await create_comment(session, post, jane.user, content="shown")
    v1 = await jake.v1()
    await api.post(f"/api/v1/comments/{hidden.id}/hide", headers=v1)
    await api.delete(f"/api/v1/comments/{gone.id}", headers=v1)
    for who in (jake.headers, jane.headers, {}):
        comments = (await api.get(URL, headers=who)).json()["comments"]
        assert [c["body"] for c in comments] == ["shown"]


async def test_list_of_an_unknown_or_draft_article_is_a_404(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    await create_post(session, jake.user, title="Draft", status="draft")
    for url in ("/api/articles/nope/comments", "/api/articles/draft/comments"):
        response = await api.get(url)
        assert response.status_code == 404
        assert errors_of(response) == {"article": ["not found"]}


async def test_delete_comment_follows_the_v1_rules(
    api: httpx.AsyncClient, app_state: AppState, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    await new_article(api, jake)
    janes = (await add(api, jane, "jane's")).json()["comment"]["id"]
    jakes = (await add(api, jake, "jake's")).json()["comment"]["id"]
    forbidden = await api.delete(f"{URL}/{jakes}", headers=jane.headers)
    assert forbidden.status_code == 403
    assert errors_of(forbidden) == {"comment": ["forbidden"]}
    own = await api.delete(f"{URL}/{janes}", headers=jane.headers)
    assert own.status_code == 204
    assert own.content == b""
    again = await api.delete(f"{URL}/{janes}", headers=jane.headers)
    assert again.status_code == 404
    assert errors_of(again) == {"comment": ["not found"]}
    moderator = await conduit_user(app_state, session, "mod", Role.MODERATOR)
    assert (await api.delete(f"{URL}/{jakes}", headers=moderator.headers)).status_code == 204
    assert (await api.get(URL)).json() == {"comments": []}


async def test_post_author_deletes_any_comment_of_the_post(
    api: httpx.AsyncClient, jake: Conduit, jane: Conduit
) -> None:
    await new_article(api, jake)
    janes = (await add(api, jane)).json()["comment"]["id"]
    assert (await api.delete(f"{URL}/{janes}", headers=jake.headers)).status_code == 204


async def test_delete_comment_refusals(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    await new_article(api, jake)
    other = await create_post(session, jake.user, title="Other")
    elsewhere = await create_comment(session, other, jake.user)
    assert (await api.delete(f"{URL}/1")).status_code == 401
    assert (await api.delete("/api/articles/nope/comments/1")).status_code == 401
    wrong_article = await api.delete(f"{URL}/{elsewhere.number}", headers=jake.headers)
    assert wrong_article.status_code == 404
    assert (await api.delete(f"{URL}/999999999", headers=jake.headers)).status_code == 404
    no_article = await api.delete("/api/articles/nope/comments/1", headers=jake.headers)
    assert errors_of(no_article) == {"article": ["not found"]}


@pytest.mark.parametrize("comment_id", ["abc", "0", "9223372036854775808"])
async def test_comment_ids_are_positive_integers(
    api: httpx.AsyncClient, jake: Conduit, comment_id: str
) -> None:
    response = await api.delete(f"{URL}/{comment_id}", headers=jake.headers)
    assert response.status_code == 422
    assert list(errors_of(response)) == ["id"]


async def test_comment_list_runs_the_same_statements_for_any_size(
    api: httpx.AsyncClient,
    session: AsyncSession,
    jake: Conduit,
    jane: Conduit,
    sql_statements: StatementCounter,
) -> None:
    post = await create_post(session, jake.user, title="How to train your dragon")
    counts = []
    for more in (1, 15):
        for _ in range(more):
            await create_comment(session, post, jane.user)
        sql_statements.reset()
        assert (await api.get(URL, headers=jake.headers)).status_code == 200
        counts.append(sql_statements.count)
    assert counts == [3, 3]  # the token's check, the post, the comments


async def test_a_closed_accounts_comments_show_a_deleted_author(
    api: httpx.AsyncClient, jake: Conduit, jane: Conduit
) -> None:
    await new_article(api, jake)
    await add(api, jane, "still here")
    assert (await api.delete("/api/v1/users/me", headers=await jane.v1())).status_code == 204
    comments = (await api.get(URL)).json()["comments"]
    assert [(c["body"], c["author"]["username"]) for c in comments] == [("still here", "[deleted]")]
