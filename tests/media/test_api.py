"""The media API over real files: uploads of each format, the refusals, processing, serving
from disk, the uploader's list, deletion and the events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.events.catalogue import MediaDeleted, MediaReady, MediaUploaded
from inkwell.media.processing import delete_files
from inkwell.models.media import Media, MediaStatus
from tests.events.support import last_position, the_event
from tests.media.support import (
    GPS_IFD,
    SVG_WITH_SCRIPT,
    XMP,
    animated_gif,
    encode,
    photo,
    png_claiming,
    processed,
    upload,
    uploaded,
)
from tests.posts.conftest import Account

MEDIA = "/api/v1/media"
FORMATS = {
    "JPEG": ("image/jpeg", "image/jpeg"),
    "PNG": ("image/png", "image/png"),
    "WEBP": ("image/webp", "image/webp"),
    "AVIF": ("image/avif", "image/avif"),
    "HEIF": ("image/heif", "image/jpeg"),
}


def _stored(state: AppState, url: str) -> Path:
    return state.settings.media_root / url.rpartition("/")[2]


async def _media_rows(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Media)) or 0)


async def _ready(
    client: httpx.AsyncClient, state: AppState, who: Account, data: bytes
) -> dict[str, Any]:
    media_id = await uploaded(client, who.headers, data)
    assert await processed(state, media_id) == MediaStatus.READY
    response = await client.get(f"{MEDIA}/{media_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("pil_format", FORMATS)
async def test_each_format_is_accepted_processed_and_served(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, pil_format: str
) -> None:
    uploaded_type, stored_type = FORMATS[pil_format]
    response = await upload(media_client, alice.headers, photo(pil_format, 1000, 700))
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert response.headers["location"] == f"{MEDIA}/{accepted['id']}"
    assert (accepted["status"], accepted["content_type"]) == ("processing", uploaded_type)
    assert accepted["original"] is None
    assert accepted["srcset"] == ""

    assert await processed(media_state, accepted["id"]) == MediaStatus.READY
    body = (await media_client.get(f"{MEDIA}/{accepted['id']}", headers=alice.headers)).json()
    assert body["status"] == "ready"
    assert body["failure_reason"] is None
    assert (body["width"], body["height"]) == (700, 1000)  # turned upright
    assert body["original"]["content_type"] == stored_type
    assert [variant["width"] for variant in body["variants"]] == [320]
    assert body["srcset"] == (f"{body['variants'][0]['url']} 320w, {body['original']['url']} 700w")
    for image in (body["original"], *body["variants"]):
        served = await media_client.get(image["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == image["content_type"]
        assert len(served.content) == image["byte_size"]


async def test_an_animated_gif_is_kept_animated(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    body = await _ready(media_client, media_state, alice, animated_gif())
    assert body["animated"] is True
    assert body["original"]["content_type"] == "image/gif"
    with Image.open(_stored(media_state, body["original"]["url"])) as image:
        assert getattr(image, "n_frames", 1) == 3


async def test_gps_exif_and_xmp_are_gone_from_the_stored_bytes(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    body = await _ready(media_client, media_state, alice, photo("JPEG", 1000, 700))
    for image in (body["original"], *body["variants"]):
        path = _stored(media_state, image["url"])
        stored = path.read_bytes()
        assert b"PhoneMaker" not in stored
        assert XMP not in stored
        assert b"Exif" not in stored
        with Image.open(path) as opened:
            assert not opened.getexif().get_ifd(GPS_IFD)
    # Nothing else is left on disk: the upload as sent was removed once processed.
    names = {path.name for path in media_state.settings.media_root.rglob("*") if path.is_file()}
    assert names == {image["url"].rpartition("/")[2] for image in [body["original"]]} | {
        variant["url"].rpartition("/")[2] for variant in body["variants"]
    }


async def test_the_type_comes_from_the_content_not_the_name_or_content_type(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    png = encode(Image.new("RGB", (50, 50), (1, 2, 3)), "PNG")
    response = await upload(
        media_client, alice.headers, png, filename="page.html", content_type="text/html"
    )
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/png"
    await processed(media_state, response.json()["id"])
    body = await media_client.get(f"{MEDIA}/{response.json()['id']}", headers=alice.headers)
    served = await media_client.get(body.json()["original"]["url"])
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "page" not in body.json()["original"]["url"]

    disguised = await upload(media_client, alice.headers, b"<html><script>x()</script></html>")
    assert (disguised.status_code, disguised.json()["code"]) == (415, "unsupported_media_type")


async def test_svg_is_refused_with_its_reason_and_nothing_is_kept(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, session: AsyncSession
) -> None:
    response = await upload(
        media_client, alice.headers, SVG_WITH_SCRIPT, filename="a.png", content_type="image/png"
    )
    assert (response.status_code, response.json()["code"]) == (415, "svg_not_allowed")
    assert "scripts" in response.json()["detail"]
    assert response.headers["content-type"] == "application/problem+json"
    assert await _media_rows(session) == 0
    assert not media_state.settings.media_root.exists()


async def test_a_decompression_bomb_is_refused_before_decoding(
    media_client: httpx.AsyncClient, alice: Account, session: AsyncSession
) -> None:
    response = await upload(media_client, alice.headers, png_claiming(30_000, 30_000))
    assert (response.status_code, response.json()["code"]) == (413, "too_many_pixels")
    assert await _media_rows(session) == 0


async def test_the_byte_limit_answers_413(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, session: AsyncSession
) -> None:
    media_state.settings = media_state.settings.model_copy(update={"media_max_bytes": 4096})
    big = encode(Image.effect_noise((200, 200), 100).convert("RGB"), "PNG")
    response = await upload(media_client, alice.headers, big)
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert "4096 bytes" in response.json()["detail"]
    assert await _media_rows(session) == 0


async def test_a_body_far_over_the_limit_is_cut_off_by_the_middleware(
    media_client: httpx.AsyncClient, alice: Account
) -> None:
    limit = 20 * 1024 * 1024 + 64 * 1024
    huge = b"\xff\xd8\xff" + bytes(limit)
    response = await upload(media_client, alice.headers, huge)
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")


async def test_the_quota_is_per_user_and_failed_uploads_do_not_count(
    media_client: httpx.AsyncClient,
    media_state: AppState,
    alice: Account,
    bob: Account,
) -> None:
    data = photo("PNG", 100, 100)
    quota = len(data) * 2
    media_state.settings = media_state.settings.model_copy(update={"media_quota_bytes": quota})
    first = await uploaded(media_client, alice.headers, data)
    await uploaded(media_client, alice.headers, data)
    refused = await upload(media_client, alice.headers, data)
    assert (refused.status_code, refused.json()["code"]) == (413, "quota_exceeded")
    assert f"of {quota} bytes" in refused.json()["detail"]
    assert (await upload(media_client, bob.headers, data)).status_code == 201
    deleted = await media_client.delete(f"{MEDIA}/{first}", headers=alice.headers)
    assert deleted.status_code == 204
    assert (await upload(media_client, alice.headers, data)).status_code == 201


async def test_a_truncated_file_ends_failed_with_a_reason(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    whole = encode(Image.effect_noise((300, 300), 90).convert("RGB"), "JPEG", quality=95)
    media_id = await uploaded(media_client, alice.headers, whole[: len(whole) // 2])
    assert await processed(media_state, media_id) == MediaStatus.FAILED
    assert await processed(media_state, media_id) is None  # a second run changes nothing
    body = (await media_client.get(f"{MEDIA}/{media_id}", headers=alice.headers)).json()
    assert body["status"] == "failed"
    assert "truncated" in body["failure_reason"]
    assert body["original"] is None
    assert body["variants"] == []


async def test_serving_answers_range_etag_and_immutable_caching(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    body = await _ready(media_client, media_state, alice, photo("JPEG", 1000, 700))
    url = body["variants"][0]["url"]
    whole = await media_client.get(url)
    assert whole.status_code == 200
    assert whole.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert whole.headers["content-type"] == "image/webp"
    assert whole.headers["accept-ranges"] == "bytes"
    etag = whole.headers["etag"]

    part = await media_client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole.content)}"

    again = await media_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    beyond = await media_client.get(url, headers={"Range": f"bytes={len(whole.content) + 5}-"})
    assert beyond.status_code == 416
    head = await media_client.head(url)
    assert (head.status_code, head.content) == (200, b"")


@pytest.mark.parametrize(
    "name",
    [
        "AAAAAAAAAAAAAAAAAAAAAA.jpg",
        "incoming%2FAAAAAAAAAAAAAAAAAAAAAA",
        "..%2F..%2Fetc%2Fpasswd",
        "AAAAAAAAAAAAAAAAAAAAAA.svg",
    ],
)
async def test_serving_finds_only_stored_originals_and_variants(
    media_client: httpx.AsyncClient, name: str
) -> None:
    response = await media_client.get(f"/media/{name}")
    assert response.status_code == 404


async def test_an_upload_not_yet_processed_is_not_served(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account
) -> None:
    media_id = await uploaded(media_client, alice.headers, photo("JPEG"))
    waiting = list((media_state.settings.media_root / "incoming").iterdir())
    assert len(waiting) == 1
    assert (await media_client.get(f"/media/{waiting[0].name}")).status_code == 404
    assert (await media_client.get(f"/media/incoming/{waiting[0].name}")).status_code == 404
    assert media_id


async def test_the_uploader_lists_their_media_newest_first(
    media_client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    first = await uploaded(media_client, alice.headers, photo("PNG"))
    second = await uploaded(media_client, alice.headers, photo("WEBP"))
    await uploaded(media_client, bob.headers, photo("JPEG"))
    response = await media_client.get("/api/v1/users/me/media", headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [second, first]
    assert (body["total"], body["page"], body["page_size"]) == (2, 1, 20)
    paged = await media_client.get(
        "/api/v1/users/me/media", params={"page": 2, "page_size": 1}, headers=alice.headers
    )
    assert [item["id"] for item in paged.json()["items"]] == [first]


async def test_only_the_uploader_or_an_admin_sees_or_deletes(
    media_client: httpx.AsyncClient,
    media_state: AppState,
    alice: Account,
    bob: Account,
    *,
    admin: Account,
    session: AsyncSession,
) -> None:
    body = await _ready(media_client, media_state, alice, photo("JPEG", 1000, 700))
    item = f"{MEDIA}/{body['id']}"
    assert (await media_client.get(item, headers=bob.headers)).status_code == 404
    assert (await media_client.get(item, headers=admin.headers)).status_code == 200
    refused = await media_client.delete(item, headers=bob.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_media_owner")
    assert await _media_rows(session) == 1
    assert (await media_client.delete(item, headers=admin.headers)).status_code == 204
    assert await _media_rows(session) == 0
    assert (await media_client.delete(item, headers=alice.headers)).status_code == 404

    # The files go in a job queued by the deletion's transaction.
    args = await session.scalar(
        text("SELECT args FROM procrastinate_jobs WHERE task_name = 'inkwell:delete_media_files'")
    )
    names = (args if isinstance(args, dict) else json.loads(args))["names"].split(",")
    original = _stored(media_state, body["original"]["url"])
    assert original.name in names
    assert original.exists()
    await delete_files(media_state.settings, names)
    assert not any(media_state.settings.media_root.glob("*.*"))
    assert (await media_client.get(body["original"]["url"])).status_code == 404


async def test_uploads_need_a_signed_in_user_and_a_file(
    media_client: httpx.AsyncClient, alice: Account
) -> None:
    anonymous = await upload(media_client, {}, photo("JPEG"))
    assert anonymous.status_code == 401
    assert (await media_client.get("/api/v1/users/me/media")).status_code == 401
    missing = await media_client.post(MEDIA, headers=alice.headers, data={"x": "1"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"
    empty = await upload(media_client, alice.headers, b"")
    assert (empty.status_code, empty.json()["code"]) == (422, "empty_file")
    not_a_uuid = await media_client.get(f"{MEDIA}/nope", headers=alice.headers)
    assert not_a_uuid.status_code == 422


async def test_uploaded_ready_and_deleted_events_reach_the_outbox(
    media_client: httpx.AsyncClient, media_state: AppState, alice: Account, session: AsyncSession
) -> None:
    start = await last_position(session)
    data = photo("JPEG", 1000, 700)
    body = await _ready(media_client, media_state, alice, data)
    uploaded_event = await the_event(session, MediaUploaded, start, body["id"])
    assert (uploaded_event.owner_id, uploaded_event.byte_size) == (alice.user.id, len(data))
    ready = await the_event(session, MediaReady, start, body["id"])
    assert (ready.width, ready.height, ready.variant_widths) == (700, 1000, [320])
    await media_client.delete(f"{MEDIA}/{body['id']}", headers=alice.headers)
    deleted = await the_event(session, MediaDeleted, start, body["id"])
    assert deleted.actor_id == alice.user.id
