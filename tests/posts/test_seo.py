"""SEO fields: the post's metadata keys (validated, versioned with the post), the effective
values with their defaults, and the Open Graph and Twitter tags of post responses."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from inkwell.core.state import AppState
from inkwell.models.post import PostStatus
from inkwell.posts.records import AuthorRow, PostRecord, PostRow
from inkwell.posts.seo import PageLinks, effective_seo
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LINKS = PageLinks(
    pages="https://blog.example.com", post_path="/p/{slug}", site="https://api.example.com"
)


def _record(**fields: Any) -> PostRecord:
    post = PostRow(
        id=uuid.uuid4(),
        author_id=uuid.uuid4(),
        title="A title",
        slug="a-title",
        status=PostStatus.PUBLISHED,
        published_at=NOW,
        summary="The summary.",
        meta={},
        reading_time=1,
        comments_count=0,
        likes_count=0,
        bookmarks_count=0,
        views_count=0,
        allow_comments=True,
        moderate_comments=False,
        version=1,
        created_at=NOW,
        updated_at=NOW,
        deleted_at=None,
    )
    author = AuthorRow(uuid.uuid4(), "ada", None, None, None, NOW)
    return PostRecord(post=replace(post, **fields), author=author, tags=[])


def test_defaults_come_from_the_post_and_the_front_ends_address() -> None:
    assert effective_seo(_record(), LINKS) == {
        "title": "A title",
        "description": "The summary.",
        "canonical_url": "https://blog.example.com/p/a-title",
        "image_url": None,
        "twitter_card": "summary",
    }


def test_the_cover_is_the_image_and_a_media_path_becomes_absolute() -> None:
    cover = {"media_id": str(uuid.uuid4()), "original": {"url": "/media/abc.webp"}}
    seo = effective_seo(_record(cover=cover), LINKS)
    assert seo["image_url"] == "https://api.example.com/media/abc.webp"
    assert seo["twitter_card"] == "summary_large_image"
    given = effective_seo(_record(cover=cover, meta={"og_image_url": "https://cdn.x/y.png"}), LINKS)
    assert given["image_url"] == "https://cdn.x/y.png"
    legacy = effective_seo(_record(meta={"cover_image": "https://cdn.x/c.png"}), LINKS)
    assert legacy["image_url"] == "https://cdn.x/c.png"


def test_metadata_wins_and_long_defaults_are_cut() -> None:
    meta = {
        "meta_title": "Short",
        "meta_description": "Described.",
        "canonical_url": "https://elsewhere.example/original",
        "twitter_card": "summary",
        "og_image_url": "https://cdn.x/y.png",
    }
    seo = effective_seo(_record(meta=meta), LINKS)
    assert seo == {
        "title": "Short",
        "description": "Described.",
        "canonical_url": "https://elsewhere.example/original",
        "image_url": "https://cdn.x/y.png",
        "twitter_card": "summary",
    }
    long = effective_seo(_record(title="t" * 200, summary="s" * 500), LINKS)
    assert len(long["title"]) == 70
    assert long["title"].endswith("\u2026")
    assert len(long["description"]) == 300
    older = effective_seo(_record(meta={"seo_title": "Old key", "seo_description": "Old"}), LINKS)
    assert (older["title"], older["description"]) == ("Old key", "Old")


async def test_a_post_response_carries_seo_open_graph_and_twitter(
    client: httpx.AsyncClient, alice: Account, app_state: AppState
) -> None:
    body = {
        "title": "Sourdough",
        "content_raw": "Flour, water, salt.",
        "status": "published",
        "tags": ["Bread"],
        "metadata": {"meta_description": "Bread at home.", "og_image_url": "https://cdn.x/b.jpg"},
    }
    created = await client.post(POSTS, json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    read = await client.get(f"{POSTS}/{created.json()['slug']}")
    links = PageLinks.of(app_state.settings)
    page = links.post(created.json()["slug"])
    for post in (created.json(), read.json()):  # the response model's path and the direct one
        assert post["seo"] == {
            "title": "Sourdough",
            "description": "Bread at home.",
            "canonical_url": page,
            "image_url": "https://cdn.x/b.jpg",
            "twitter_card": "summary_large_image",
        }
        assert post["open_graph"] == {
            "og:type": "article",
            "og:title": "Sourdough",
            "og:description": "Bread at home.",
            "og:url": page,
            "og:image": "https://cdn.x/b.jpg",
            "article:published_time": post["published_at"],
            "article:modified_time": post["updated_at"],
            "article:author": f"{links.pages}/users/alice",
            "article:tag": ["Bread"],
        }
        assert post["twitter"] == {
            "twitter:card": "summary_large_image",
            "twitter:title": "Sourdough",
            "twitter:description": "Bread at home.",
            "twitter:image": "https://cdn.x/b.jpg",
        }
    listed = (await client.get(POSTS)).json()["items"][0]
    assert "seo" not in listed  # lists stay as they were: the page of one post has its head


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"canonical_url": "ftp://example.com/x"}, "metadata.canonical_url"),
        ({"canonical_url": "/relative"}, "metadata.canonical_url"),
        ({"og_image_url": "javascript:alert(1)"}, "metadata.og_image_url"),
        ({"meta_title": "t" * 71}, "metadata.meta_title"),
        ({"meta_title": "   "}, "metadata.meta_title"),
        ({"meta_description": "d" * 301}, "metadata.meta_description"),
        ({"twitter_card": "player"}, "metadata.twitter_card"),
    ],
)
async def test_bad_seo_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, alice: Account, metadata: dict[str, Any], field: str
) -> None:
    body = {"title": "x", "content_raw": "x", "metadata": metadata}
    response = await client.post(POSTS, json=body, headers=alice.headers)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_seo_fields_are_saved_in_versions_with_the_rest_of_the_metadata(
    client: httpx.AsyncClient, alice: Account
) -> None:
    body = {"title": "Versioned", "content_raw": "x", "metadata": {"meta_title": "First"}}
    post = (await client.post(POSTS, json=body, headers=alice.headers)).json()
    changed = await client.patch(
        f"{POSTS}/{post['id']}",
        json={"title": "Versioned again", "metadata": {"meta_title": "Second"}},
        headers=alice.headers,
    )
    assert changed.json()["seo"]["title"] == "Second"
    versions = (await client.get(f"{POSTS}/{post['id']}/versions", headers=alice.headers)).json()
    numbers = sorted(v["version"] for v in versions)
    diff = await client.get(
        f"{POSTS}/{post['id']}/versions/{numbers[0]}/diff/{numbers[-1]}", headers=alice.headers
    )
    assert diff.json()["metadata"] == [{"key": "meta_title", "before": "First", "after": "Second"}]
    restored = await client.post(
        f"{POSTS}/{post['id']}/versions/{numbers[0]}/restore", headers=alice.headers
    )
    assert restored.json()["seo"]["title"] == "First"
