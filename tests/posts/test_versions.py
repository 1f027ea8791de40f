"""Saved versions of a post: listed, read and restored by the author or an admin."""

from __future__ import annotations

import httpx

from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


async def test_versions_are_saved_listed_and_restored(
    client: httpx.AsyncClient, alice: Account, bob: Account, admin: Account
) -> None:
    created = await client.post(
        POSTS,
        headers=alice.headers,
        json={
            "title": "v1",
            "content_raw": "one",
            "status": "published",
            "metadata": {"seo_title": "first"},
        },
    )
    post = created.json()
    url = f"{POSTS}/{post['id']}"
    await client.patch(url, json={"title": "v2", "content_raw": "two"}, headers=alice.headers)
    await client.patch(url, json={"tags": ["no-new-version"]}, headers=alice.headers)
    await client.patch(url, json={"summary": "v3 summary"}, headers=admin.headers)

    listed = await client.get(f"{url}/versions", headers=alice.headers)
    assert listed.status_code == 200
    assert [(v["version"], v["title"], v["editor"]) for v in listed.json()] == [
        (3, "v2", "root"),
        (2, "v2", "alice"),
        (1, "v1", "alice"),
    ]
    first = await client.get(f"{url}/versions/1", headers=admin.headers)
    assert first.json()["content_raw"] == "one"
    assert first.json()["metadata"] == {"seo_title": "first"}

    etag = (await client.get(url)).headers["etag"]
    restored = await client.post(
        f"{url}/versions/1/restore", headers={**alice.headers, "If-Match": etag}
    )
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert (body["title"], body["content_raw"], body["content_html"]) == (
        "v1",
        "one",
        "<p>one</p>\n",
    )
    assert [t["slug"] for t in body["tags"]] == ["no-new-version"]
    after = await client.get(f"{url}/versions", headers=alice.headers)
    assert [v["version"] for v in after.json()] == [4, 3, 2, 1]
    assert after.json()[0]["title"] == "v1"
    stale = await client.post(
        f"{url}/versions/2/restore", headers={**alice.headers, "If-Match": etag}
    )
    assert stale.status_code == 412


async def test_versions_are_for_author_and_admin_only(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    public = (
        await client.post(
            POSTS,
            headers=alice.headers,
            json={"title": "t", "content_raw": "c", "status": "published"},
        )
    ).json()
    draft = (
        await client.post(POSTS, headers=alice.headers, json={"title": "d", "content_raw": "c"})
    ).json()
    assert (await client.get(f"{POSTS}/{public['id']}/versions")).status_code == 401
    assert (
        await client.get(f"{POSTS}/{public['id']}/versions", headers=bob.headers)
    ).status_code == 403
    assert (
        await client.get(f"{POSTS}/{public['id']}/versions/1", headers=bob.headers)
    ).status_code == 403
    assert (
        await client.get(f"{POSTS}/{draft['id']}/versions", headers=bob.headers)
    ).status_code == 404
    assert (
        await client.post(f"{POSTS}/{public['id']}/versions/1/restore", headers=bob.headers)
    ).status_code == 403
    missing = await client.get(f"{POSTS}/{public['id']}/versions/9", headers=alice.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "post_version_not_found"
    assert (
        await client.get(f"{POSTS}/{public['id']}/versions/0", headers=alice.headers)
    ).status_code == 422
