"""Posts through the API: writing, reading, visibility, permissions and ETags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


async def write(client: httpx.AsyncClient, who: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "A post", "content_raw": "Hello **world**.", **fields}
    response = await client.post(POSTS, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def future(hours: int = 1) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def test_create_returns_the_post_with_etag_and_location(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        POSTS,
        headers=alice.headers,
        json={
            "title": "Crème brûlée, explained",
            "content_raw": "# Sugar\n\nThen *fire*.",
            "tags": ["Cooking", "french", "Desserts"],
            "status": "published",
            "metadata": {"seo_title": "Brûlée", "custom": {"a": 1}},
        },
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["slug"] == "creme-brulee-explained"
    assert post["status"] == "published"
    assert post["published_at"] is not None
    assert post["content_html"] == "<h1>Sugar</h1>\n<p>Then <em>fire</em>.</p>\n"
    assert post["content_raw"] == "# Sugar\n\nThen *fire*."
    assert post["summary"] == "Sugar Then fire."
    assert post["reading_time"] == 1
    assert [t["name"] for t in post["tags"]] == ["Cooking", "french", "Desserts"]
    assert post["metadata"] == {"seo_title": "Brûlée", "custom": {"a": 1}}
    assert post["author"] == {**post["author"], "username": "alice"}
    assert "email" not in post["author"]
    assert response.headers["etag"] == f'"{post["id"]}-1"'
    assert response.headers["location"].endswith(f"/api/v1/posts/{post['slug']}")


async def test_create_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.post(POSTS, json={"title": "x", "content_raw": "y"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "field",
    ["id", "author_id", "likes_count", "created_at", "version", "content_html", "deleted_at"],
)
async def test_clients_cannot_set_server_fields(
    client: httpx.AsyncClient, alice: Account, field: str
) -> None:
    body = {"title": "x", "content_raw": "y", field: 1}
    response = await client.post(POSTS, json=body, headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "content_raw": "x"}, "title"),
        ({"title": "   ", "content_raw": "x"}, "title"),
        ({"title": "t" * 201, "content_raw": "x"}, "title"),
        ({"title": "x"}, "content_raw"),
        ({"title": "x", "content_raw": ""}, "content_raw"),
        ({"title": "nul\x00", "content_raw": "x"}, "title"),
        ({"title": "x", "content_raw": "nul\x00"}, "content_raw"),
        ({"title": "x", "content_raw": "x" * 200_001}, "content_raw"),
        ({"title": "x", "content_raw": "x", "summary": "s" * 501}, "summary"),
        ({"title": "x", "content_raw": "x", "slug": "Not A Slug"}, "slug"),
        ({"title": "x", "content_raw": "x", "status": "secret"}, "status"),
        ({"title": "x", "content_raw": "x", "tags": ["t"] * 11}, "tags"),
        ({"title": "x", "content_raw": "x", "tags": ["x" * 51]}, "tags.0"),
        ({"title": "x", "content_raw": "x", "metadata": {"k": "nul\x00"}}, "metadata"),
        (
            {"title": "x", "content_raw": "x", "metadata": {"canonical_url": "nope"}},
            "metadata.canonical_url",
        ),
        ({"title": "x", "content_raw": "x", "metadata": {"k": "v" * 20_000}}, "metadata"),
        ({"title": "x", "content_raw": "x", "content_json": {"k": "\x00"}}, "content_json"),
    ],
)
async def test_invalid_input_is_422_with_field_errors(
    client: httpx.AsyncClient, alice: Account, body: dict[str, Any], field: str
) -> None:
    response = await client.post(POSTS, json=body, headers=alice.headers)
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields


async def test_tag_without_letters_is_refused(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.post(
        POSTS, headers=alice.headers, json={"title": "x", "content_raw": "y", "tags": ["!!!"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tags"


async def test_slugs_are_deduplicated_and_freed_by_delete(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    first = await write(client, alice, title="Same title")
    second = await write(client, bob, title="Same title")
    third = await write(client, alice, title="Same  title!")
    assert [first["slug"], second["slug"], third["slug"]] == [
        "same-title",
        "same-title-2",
        "same-title-3",
    ]
    taken = await client.post(
        POSTS, headers=bob.headers, json={"title": "x", "content_raw": "y", "slug": "same-title"}
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "slug_taken"
    deleted = await client.delete(f"{POSTS}/{first['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    again = await write(client, bob, title="x", slug="same-title")
    assert again["slug"] == "same-title"
    assert (await client.get(f"{POSTS}/{first['id']}", headers=alice.headers)).status_code == 404


async def test_title_without_letters_gets_a_fallback_slug(
    client: httpx.AsyncClient, alice: Account
) -> None:
    post = await write(client, alice, title="!!!")
    assert post["slug"] == "post"


async def test_visibility_of_drafts(
    client: httpx.AsyncClient, alice: Account, bob: Account, moderator: Account, admin: Account
) -> None:
    draft = await write(client, alice)
    url = f"{POSTS}/{draft['id']}"
    assert draft["status"] == "draft"
    assert draft["published_at"] is None
    assert (await client.get(url)).status_code == 404
    not_found = await client.get(url, headers=bob.headers)
    assert not_found.status_code == 404
    assert not_found.json()["code"] == "post_not_found"
    assert (await client.get(f"{POSTS}/{draft['slug']}", headers=bob.headers)).status_code == 404
    seen = await client.get(url, headers=moderator.headers)
    assert seen.status_code == 200
    assert seen.json()["content_raw"] is None
    assert (await client.get(url, headers=admin.headers)).json()["content_raw"] is not None
    own = await client.get(url, headers=alice.headers)
    assert own.json()["content_raw"] == "Hello **world**."


async def test_public_post_hides_markdown_source_from_readers(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    post = await write(client, alice, status="published")
    for headers in ({}, bob.headers):
        body = (await client.get(f"{POSTS}/{post['slug']}", headers=headers)).json()
        assert body["content_raw"] is None
        assert body["content_html"] == "<p>Hello <strong>world</strong>.</p>\n"


async def test_only_author_or_admin_may_change(
    client: httpx.AsyncClient, alice: Account, bob: Account, moderator: Account, admin: Account
) -> None:
    public = await write(client, alice, status="published")
    draft = await write(client, alice, title="draft")
    url = f"{POSTS}/{public['id']}"
    assert (await client.patch(url, json={"title": "x"})).status_code == 401
    refused = await client.patch(url, json={"title": "x"}, headers=bob.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_post_author"
    assert (await client.delete(url, headers=bob.headers)).status_code == 403
    assert (
        await client.patch(url, json={"title": "x"}, headers=moderator.headers)
    ).status_code == 403
    hidden = await client.patch(f"{POSTS}/{draft['id']}", json={"title": "x"}, headers=bob.headers)
    assert hidden.status_code == 404
    assert (await client.get(url)).json()["title"] == "A post"
    by_admin = await client.patch(url, json={"title": "Fixed"}, headers=admin.headers)
    assert by_admin.status_code == 200
    assert by_admin.json()["title"] == "Fixed"


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, alice: Account
) -> None:
    post = await write(
        client, alice, summary="Hand-written", tags=["a", "b"], metadata={"seo_title": "s"}
    )
    url = f"{POSTS}/{post['id']}"
    response = await client.patch(url, json={"content_raw": "New *body*"}, headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "A post"
    assert body["summary"] == "Hand-written"
    assert body["content_html"] == "<p>New <em>body</em></p>\n"
    assert [t["slug"] for t in body["tags"]] == ["a", "b"]
    assert body["metadata"] == {"seo_title": "s"}
    assert body["version"] == 2
    put = await client.put(
        url, json={"tags": ["b", "c", "a"], "summary": None}, headers=alice.headers
    )
    assert put.status_code == 200
    assert [t["slug"] for t in put.json()["tags"]] == ["b", "c", "a"]
    assert put.json()["summary"] == "New body"
    assert (await client.patch(url, json={"title": None}, headers=alice.headers)).status_code == 422
    unchanged = await client.patch(url, json={}, headers=alice.headers)
    assert unchanged.json()["version"] == put.json()["version"]
    assert (
        await client.patch(url, json={"author_id": str(post["id"])}, headers=alice.headers)
    ).status_code == 422


async def test_derived_summary_follows_the_content(
    client: httpx.AsyncClient, alice: Account
) -> None:
    post = await write(client, alice, content_raw="First words.")
    assert post["summary"] == "First words."
    response = await client.patch(
        f"{POSTS}/{post['id']}", json={"content_raw": "Second words."}, headers=alice.headers
    )
    assert response.json()["summary"] == "Second words."


async def test_publishing_rules(client: httpx.AsyncClient, alice: Account) -> None:
    post = await write(client, alice)
    url = f"{POSTS}/{post['id']}"
    published = await client.post(f"{url}/publish", headers=alice.headers)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    when = published.json()["published_at"]
    again = await client.post(f"{url}/publish", headers=alice.headers)
    assert again.json()["published_at"] == when
    unpublished = await client.post(f"{url}/unpublish", headers=alice.headers)
    assert unpublished.json()["status"] == "draft"
    assert unpublished.json()["published_at"] is None
    past = "2020-01-02T03:04:05Z"
    backdated = await client.patch(
        url, json={"status": "published", "published_at": past}, headers=alice.headers
    )
    assert backdated.json()["published_at"] == past
    for body in (
        {"status": "scheduled"},
        {"status": "scheduled", "published_at": past},
        {"status": "published", "published_at": future()},
    ):
        refused = await client.patch(url, json=body, headers=alice.headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == "published_at"
    scheduled = await client.patch(
        url, json={"status": "scheduled", "published_at": future()}, headers=alice.headers
    )
    assert scheduled.json()["status"] == "scheduled"


async def test_scheduled_post_becomes_public_when_its_time_comes(
    client: httpx.AsyncClient, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = await write(client, alice, status="scheduled", published_at=future(1), tags=["soon"])
    url = f"{POSTS}/{post['slug']}"
    assert (await client.get(url, headers=bob.headers)).status_code == 404
    assert (await client.get(POSTS)).json()["total"] == 0
    assert (await client.get("/api/v1/tags/soon")).status_code == 404  # not public yet

    later = datetime.now(UTC) + timedelta(hours=2)
    monkeypatch.setattr("inkwell.posts.service.utcnow", lambda: later)
    monkeypatch.setattr("inkwell.tags.service.utcnow", lambda: later)
    assert (await client.get(url, headers=bob.headers)).status_code == 200
    listed = (await client.get(POSTS)).json()
    assert [item["id"] for item in listed["items"]] == [post["id"]]
    assert (await client.get("/api/v1/tags/soon")).json()["post_count"] == 1


async def test_archived_posts_leave_lists_but_keep_their_url(
    client: httpx.AsyncClient, alice: Account
) -> None:
    post = await write(client, alice, status="published")
    archived = await client.patch(
        f"{POSTS}/{post['id']}", json={"status": "archived"}, headers=alice.headers
    )
    assert archived.json()["published_at"] == post["published_at"]
    assert (await client.get(POSTS)).json()["total"] == 0
    assert (await client.get(f"{POSTS}/{post['slug']}")).status_code == 200
    never_published = await write(client, alice, title="b", status="archived")
    assert (await client.get(f"{POSTS}/{never_published['slug']}")).status_code == 404


async def test_etags_answer_304_and_412(client: httpx.AsyncClient, alice: Account) -> None:
    post = await write(client, alice, status="published")
    url = f"{POSTS}/{post['id']}"
    first = await client.get(url)
    tag = first.headers["etag"]
    not_modified = await client.get(url, headers={"If-None-Match": tag})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == tag
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    changed = await client.patch(
        url, json={"title": "B"}, headers={**alice.headers, "If-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    stale = await client.patch(url, json={"title": "C"}, headers={**alice.headers, "If-Match": tag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "post_changed"
    assert (await client.delete(url, headers={**alice.headers, "If-Match": tag})).status_code == 412
    assert (await client.get(url)).json()["title"] == "B"
    current = changed.headers["etag"]
    weak_list = f'W/"x", {current}'
    ok = await client.patch(
        url, json={"title": "D"}, headers={**alice.headers, "If-Match": weak_list}
    )
    assert ok.status_code == 200
    assert (await client.delete(url, headers={**alice.headers, "If-Match": "*"})).status_code == 204


async def test_old_slugs_redirect_to_the_current_one(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    post = await write(client, alice, title="First name", status="published")
    url = f"{POSTS}/{post['id']}"
    await client.patch(url, json={"slug": "second-name"}, headers=alice.headers)
    await client.patch(url, json={"slug": None, "title": "Third name"}, headers=alice.headers)
    for old in ("first-name", "second-name"):
        moved = await client.get(f"{POSTS}/{old}", follow_redirects=False)
        assert moved.status_code == 301
        assert moved.headers["location"].endswith("/api/v1/posts/third-name")
    followed = await client.get(f"{POSTS}/first-name", follow_redirects=True)
    assert followed.json()["id"] == post["id"]
    await client.post(f"{url}/unpublish", headers=alice.headers)
    assert (await client.get(f"{POSTS}/first-name", headers=bob.headers)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "%00",
        "a%00b",
        "%27%20OR%201%3D1--",
        "%25",
        "_",
        "a%2Fb",
        "x" * 201,
        "00000000-0000-0000-0000-000000000000",
    ],
)
async def test_hostile_ids_and_slugs_are_404_or_422(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"{POSTS}/{path}")
    assert response.status_code in {404, 422}


async def test_hostile_path_on_writes(client: httpx.AsyncClient, alice: Account) -> None:
    for name in ("not-a-post", "Not A Slug!", "x" * 200):
        response = await client.patch(f"{POSTS}/{name}", json={}, headers=alice.headers)
        assert response.status_code == 404
    assert (await client.patch(f"{POSTS}/{'x' * 201}", headers=alice.headers)).status_code == 422


async def test_writes_name_a_post_by_id_or_slug(client: httpx.AsyncClient, alice: Account) -> None:
    post = await write(client, alice, title="By slug")
    edited = await client.patch(f"{POSTS}/by-slug", json={"title": "B"}, headers=alice.headers)
    assert (edited.status_code, edited.json()["id"]) == (200, post["id"])
    assert (await client.delete(f"{POSTS}/by-slug", headers=alice.headers)).status_code == 204


async def test_my_posts_lists_every_status_and_does_not_shadow_profiles(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    await write(client, alice, title="draft")
    await write(client, alice, title="live", status="published")
    await write(client, alice, title="later", status="scheduled", published_at=future())
    await write(client, bob, title="bob's", status="published")
    mine = await client.get("/api/v1/users/me/posts", headers=alice.headers)
    assert mine.status_code == 200
    assert mine.json()["total"] == 3
    assert {i["title"] for i in mine.json()["items"]} == {"draft", "live", "later"}
    drafts = await client.get("/api/v1/users/me/posts?status=draft", headers=alice.headers)
    assert [i["title"] for i in drafts.json()["items"]] == ["draft"]
    assert (await client.get("/api/v1/users/me/posts")).status_code == 401
    assert (
        await client.get("/api/v1/users/me/posts?status=bad", headers=alice.headers)
    ).status_code == 422
    profile = await client.get("/api/v1/users/alice")
    assert profile.status_code == 200
    assert profile.json()["username"] == "alice"


async def test_structured_content_round_trips(client: httpx.AsyncClient, alice: Account) -> None:
    doc = {"type": "doc", "content": [{"type": "paragraph", "text": "Hi"}]}
    post = await write(client, alice, content_json=doc)
    assert post["content_json"] == doc
    cleared = await client.patch(
        f"{POSTS}/{post['id']}",
        json={"content_json": None, "metadata": None},
        headers=alice.headers,
    )
    assert cleared.json()["content_json"] is None
    assert cleared.json()["metadata"] == {}


async def test_a_draft_cannot_have_a_publication_time(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        POSTS,
        headers=alice.headers,
        json={"title": "x", "content_raw": "y", "published_at": future()},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "published_at"


async def test_openapi_documents_the_post_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/api/v1/posts/{id_or_slug}"]) == {"get", "patch", "put", "delete"}
    assert "412" in paths["/api/v1/posts/{id_or_slug}"]["patch"]["responses"]
    assert "301" in paths["/api/v1/posts/{id_or_slug}"]["get"]["responses"]
    assert "/api/v1/users/me/posts" in paths
    assert "/api/v1/tags/{slug}" in paths
