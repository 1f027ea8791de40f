"""RealWorld articles: create, read, update, delete, favorites, and their life in /api/v1."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.posts.repository import PostRepository
from tests.factories import create_post, like
from tests.realworld.conftest import TIMESTAMP, Conduit, errors_of, new_article


async def test_create_answers_the_article(api: httpx.AsyncClient, jake: Conduit) -> None:
    article = await new_article(api, jake, tagList=["reactjs", "AngularJS", "dragons"])
    assert article == {
        "slug": "how-to-train-your-dragon",
        "title": "How to train your dragon",
        "description": "Ever wonder how?",
        "body": "You *believe*.",
        "tagList": ["reactjs", "AngularJS", "dragons"],  # the author's order and spelling
        "createdAt": article["createdAt"],
        "updatedAt": article["updatedAt"],
        "favorited": False,
        "favoritesCount": 0,
        "author": {"username": "jake", "bio": None, "image": None, "following": False},
    }
    assert TIMESTAMP.match(article["createdAt"])
    assert TIMESTAMP.match(article["updatedAt"])


async def test_an_article_is_a_published_post(api: httpx.AsyncClient, jake: Conduit) -> None:
    await new_article(api, jake, tagList=["dragons"])
    post = (await api.get("/api/v1/posts/how-to-train-your-dragon", headers=await jake.v1())).json()
    assert post["status"] == "published"
    assert post["summary"] == "Ever wonder how?"
    assert post["content_raw"] == "You *believe*."
    assert "<em>believe</em>" in post["content_html"]
    assert [tag["slug"] for tag in post["tags"]] == ["dragons"]


async def test_a_post_is_an_article(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    await create_post(session, jake.user, title="Written in v1", summary="Short.", tags=["x"])
    response = await api.get("/api/articles/written-in-v1")
    assert response.status_code == 200
    article = response.json()["article"]
    assert (article["description"], article["tagList"]) == ("Short.", ["x"])


async def test_duplicate_titles_get_their_own_slugs(api: httpx.AsyncClient, jake: Conduit) -> None:
    first = await new_article(api, jake, title="Same")
    second = await new_article(api, jake, title="Same")
    assert first["slug"] != second["slug"]
    for slug in (first["slug"], second["slug"]):
        assert (await api.get(f"/api/articles/{slug}")).status_code == 200


async def test_create_refuses_invalid_fields(api: httpx.AsyncClient, jake: Conduit) -> None:
    missing = await api.post("/api/articles", json={"article": {}}, headers=jake.headers)
    assert missing.status_code == 422
    assert errors_of(missing) == {
        "title": ["can't be blank"],
        "description": ["can't be blank"],
        "body": ["can't be blank"],
    }
    blank = {"title": "  ", "description": "d", "body": "b", "tagList": ["ok", ""]}
    response = await api.post("/api/articles", json={"article": blank}, headers=jake.headers)
    assert errors_of(response) == {"title": ["can't be blank"], "tagList": ["can't be blank"]}
    punctuation = {"title": "t", "description": "d", "body": "b", "tagList": ["!!"]}
    response = await api.post("/api/articles", json={"article": punctuation}, headers=jake.headers)
    assert response.status_code == 422
    assert list(errors_of(response)) == ["tagList"]
    long_title = {"title": "x" * 201, "description": "d", "body": "b"}
    response = await api.post("/api/articles", json={"article": long_title}, headers=jake.headers)
    assert list(errors_of(response)) == ["title"]


async def test_create_needs_a_token_before_validation(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/articles", json={"article": {}})
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is missing"]}


async def test_malformed_json_is_a_422(api: httpx.AsyncClient, jake: Conduit) -> None:
    response = await api.post(
        "/api/articles",
        content=b'{"article": ',
        headers={**jake.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "body" in errors_of(response)


async def test_get_article(api: httpx.AsyncClient, jake: Conduit, jane: Conduit) -> None:
    await new_article(api, jake)
    anonymous = await api.get("/api/articles/how-to-train-your-dragon")
    assert anonymous.json()["article"]["body"] == "You *believe*."
    missing = await api.get("/api/articles/nothing-here")
    assert missing.status_code == 404
    assert errors_of(missing) == {"article": ["not found"]}
    await api.post("/api/profiles/jake/follow", headers=jane.headers)
    seen = await api.get("/api/articles/how-to-train-your-dragon", headers=jane.headers)
    assert seen.json()["article"]["author"]["following"] is True


async def test_drafts_are_invisible_as_to_any_reader(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    await create_post(session, jake.user, title="Draft", status="draft")
    assert (await api.get("/api/articles/draft")).status_code == 404
    assert (await api.get("/api/articles/draft", headers=jane.headers)).status_code == 404
    own = await api.get("/api/articles/draft", headers=jake.headers)
    assert own.status_code == 200  # its author reads it, as in /api/v1
    listed = (await api.get("/api/articles", headers=jake.headers)).json()
    assert listed == {"articles": [], "articlesCount": 0}


# Update


async def test_update_changes_the_fields_sent_and_the_slug_with_the_title(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    created = await new_article(api, jake, tagList=["a"])
    response = await api.put(
        "/api/articles/how-to-train-your-dragon",
        json={"article": {"title": "Did you train your dragon?", "slug": "ignored"}},
        headers=jake.headers,
    )
    assert response.status_code == 200
    article = response.json()["article"]
    assert article["slug"] == "did-you-train-your-dragon"
    assert article["title"] == "Did you train your dragon?"
    assert (article["description"], article["body"], article["tagList"]) == (
        created["description"],
        created["body"],
        ["a"],
    )
    assert article["createdAt"] == created["createdAt"]
    assert article["updatedAt"] >= created["updatedAt"]
    old = await api.get("/api/articles/how-to-train-your-dragon")
    assert old.json()["article"]["slug"] == "did-you-train-your-dragon"  # old slugs still find it
    body = await api.put(
        "/api/articles/did-you-train-your-dragon",
        json={"article": {"body": "New body", "description": "New", "tagList": []}},
        headers=jake.headers,
    )
    assert body.json()["article"]["slug"] == "did-you-train-your-dragon"
    assert (body.json()["article"]["body"], body.json()["article"]["tagList"]) == ("New body", [])


async def test_update_refusals(api: httpx.AsyncClient, jake: Conduit, jane: Conduit) -> None:
    await new_article(api, jake)
    url = "/api/articles/how-to-train-your-dragon"
    change = {"article": {"title": "Mine now"}}
    forbidden = await api.put(url, json=change, headers=jane.headers)
    assert forbidden.status_code == 403
    assert errors_of(forbidden) == {"article": ["forbidden"]}
    assert (await api.get(url)).json()["article"]["title"] == "How to train your dragon"
    missing = await api.put("/api/articles/nope", json=change, headers=jake.headers)
    assert missing.status_code == 404
    blank = await api.put(url, json={"article": {"title": ""}}, headers=jake.headers)
    assert blank.status_code == 422
    assert errors_of(blank) == {"title": ["can't be blank"]}
    anonymous = await api.put("/api/articles/nope", json=change)
    assert anonymous.status_code == 401


@pytest.mark.parametrize("field", ["title", "description", "body", "tagList"])
async def test_update_refuses_null_fields(
    api: httpx.AsyncClient, jake: Conduit, field: str
) -> None:
    """The contract types none of them as nullable; a null would not say what to do."""
    await new_article(api, jake, tagList=["dragons"])
    url = "/api/articles/how-to-train-your-dragon"
    response = await api.put(url, json={"article": {field: None}}, headers=jake.headers)
    assert response.status_code == 422
    assert errors_of(response) == {field: ["can't be blank"]}
    assert (await api.get(url)).json()["article"]["tagList"] == ["dragons"]


# Delete


async def test_delete(api: httpx.AsyncClient, jake: Conduit, jane: Conduit) -> None:
    await new_article(api, jake)
    url = "/api/articles/how-to-train-your-dragon"
    assert (await api.delete("/api/articles/nope")).status_code == 401
    forbidden = await api.delete(url, headers=jane.headers)
    assert forbidden.status_code == 403
    missing = await api.delete("/api/articles/nope", headers=jake.headers)
    assert missing.status_code == 404
    deleted = await api.delete(url, headers=jake.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await api.get(url)).status_code == 404


# Favorites


async def test_favorite_is_a_like(api: httpx.AsyncClient, jake: Conduit, jane: Conduit) -> None:
    await new_article(api, jake)
    url = "/api/articles/how-to-train-your-dragon/favorite"
    for _ in range(2):  # favoriting twice is one favorite
        response = await api.post(url, headers=jane.headers)
        assert response.status_code == 200
        article = response.json()["article"]
        assert (article["favorited"], article["favoritesCount"]) == (True, 1)
    post = (await api.get("/api/v1/posts/how-to-train-your-dragon", headers=await jane.v1())).json()
    assert (post["liked_by_me"], post["likes_count"]) == (True, 1)
    liked = await api.get("/api/articles?favorited=jane")
    assert [a["slug"] for a in liked.json()["articles"]] == ["how-to-train-your-dragon"]
    removed = await api.delete(url, headers=jane.headers)
    assert (
        removed.json()["article"]["favorited"],
        removed.json()["article"]["favoritesCount"],
    ) == (
        False,
        0,
    )
    post = (await api.get("/api/v1/posts/how-to-train-your-dragon", headers=await jane.v1())).json()
    assert (post["liked_by_me"], post["likes_count"]) == (False, 0)


async def test_a_like_in_v1_is_a_favorite(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    post = await create_post(session, jake.user, title="Liked")
    await like(session, jane.user, post)
    article = (await api.get("/api/articles/liked", headers=jane.headers)).json()["article"]
    assert (article["favorited"], article["favoritesCount"]) == (True, 1)
    anonymous = (await api.get("/api/articles/liked")).json()["article"]
    assert (anonymous["favorited"], anonymous["favoritesCount"]) == (False, 1)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_favorite_refusals(api: httpx.AsyncClient, jake: Conduit, method: str) -> None:
    anonymous = await api.request(method, "/api/articles/nope/favorite")
    assert anonymous.status_code == 401
    missing = await api.request(method, "/api/articles/nope/favorite", headers=jake.headers)
    assert missing.status_code == 404
    assert errors_of(missing) == {"article": ["not found"]}


async def test_timestamps_have_milliseconds_and_z(api: httpx.AsyncClient, jake: Conduit) -> None:
    await new_article(api, jake)
    responses: list[dict[str, Any]] = [
        (await api.get("/api/articles/how-to-train-your-dragon")).json()["article"],
        (await api.get("/api/articles")).json()["articles"][0],
    ]
    for article in responses:
        assert TIMESTAMP.match(article["createdAt"]), article
        assert TIMESTAMP.match(article["updatedAt"]), article


async def test_get_article_reads_anonymously_with_an_expired_token(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    await new_article(api, jake)
    for header in ("Token expired.or.invalid", "Basic abc"):
        response = await api.get(
            "/api/articles/how-to-train-your-dragon", headers={"Authorization": header}
        )
        assert response.status_code == 200  # the contract lists no 401 for this route
        assert response.json()["article"]["favorited"] is False


async def test_create_answers_409_when_no_slug_can_be_had(
    api: httpx.AsyncClient, jake: Conduit, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slug_always_taken(_self: object, _post: object) -> bool:
        return False  # as if every insert lost a race for its slug

    monkeypatch.setattr(PostRepository, "add", slug_always_taken)
    response = await api.post(
        "/api/articles",
        json={"article": {"title": "Raced", "description": "d", "body": "b"}},
        headers=jake.headers,
    )
    assert response.status_code == 409
    assert errors_of(response) == {"slug": ["has already been taken"]}


@pytest.mark.parametrize(
    "url", ["/api/articles", "/api/articles/how-to-train-your-dragon/comments"]
)
async def test_optional_auth_lists_refuse_an_invalid_token(
    api: httpx.AsyncClient, jake: Conduit, url: str
) -> None:
    await new_article(api, jake)
    response = await api.get(url, headers={"Authorization": "Token not.a.jwt"})
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is invalid"]}
