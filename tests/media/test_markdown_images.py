"""Images in a post's Markdown that are uploads here render with their width, height and
lazy loading; other images are left as they are."""

from __future__ import annotations

import httpx

from inkwell.core.markdown import image_sources, render_markdown, with_image_sizes
from inkwell.core.state import AppState
from tests.media.support import photo, processed, uploaded
from tests.posts.conftest import Account


def test_only_images_with_a_known_size_are_changed() -> None:
    html = render_markdown('![a](/media/x.jpg "t") ![b](https://other.example/y.png?a=1&b=2)')
    assert image_sources(html) == ["/media/x.jpg", "https://other.example/y.png?a=1&b=2"]
    sized = with_image_sizes(html, {"/media/x.jpg": (640, 480)})
    assert '<img src="/media/x.jpg" alt="a" title="t" width="640" height="480" loading="lazy">' in (
        sized
    )
    assert sized.count("loading=") == 1
    assert with_image_sizes(html, {}) == html


def test_sizes_the_author_wrote_are_replaced() -> None:
    html = render_markdown('<img src="/media/x.jpg" width="9999" height="1" alt="">')
    sized = with_image_sizes(html, {"/media/x.jpg": (320, 240)})
    assert "9999" not in sized
    assert 'width="320" height="240" loading="lazy"' in sized


async def test_a_posts_media_images_get_their_sizes(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    media_id = await uploaded(media_client, alice.headers, photo("JPEG", 1000, 700))
    await processed(media_state, media_id)
    media = (await media_client.get(f"/api/v1/media/{media_id}", headers=alice.headers)).json()
    original, variant = media["original"]["url"], media["variants"][0]["url"]
    content = f"![big]({original})\n\n![small]({variant})\n\n![away](https://a.example/z.png)"
    body = {"title": "Pictures", "content_raw": content, "status": "published"}
    created = await media_client.post("/api/v1/posts", json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    html = created.json()["content_html"]
    assert f'<img src="{original}" alt="big" width="700" height="1000" loading="lazy">' in html
    assert f'<img src="{variant}" alt="small" width="320" height="457" loading="lazy">' in html
    assert '<img src="https://a.example/z.png" alt="away">' in html

    path = f"/api/v1/posts/{created.json()['id']}"
    edited = await media_client.patch(
        path, json={"content_raw": f"![again]({variant})"}, headers=alice.headers
    )
    assert 'width="320" height="457" loading="lazy"' in edited.json()["content_html"]
    await media_client.delete(f"/api/v1/media/{media_id}", headers=alice.headers)
    unknown = await media_client.patch(
        path, json={"content_raw": f"![gone]({variant})"}, headers=alice.headers
    )
    assert "loading" not in unknown.json()["content_html"]
