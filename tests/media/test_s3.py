"""The S3 backend against a real S3-compatible server (moto_server, started per test module):
stored bytes, fetches, deletes, presigned URLs, and an upload processed end to end."""

from __future__ import annotations

import io
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import aioboto3
import httpx
import pytest
from PIL import Image
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.media.files import new_key
from inkwell.media.storage import S3Storage, storage_for
from inkwell.media.sweep import sweep_orphans
from inkwell.models.media import Media, MediaStatus
from tests.conftest import api_client
from tests.kafka import free_port, serving
from tests.media.support import GPS_IFD, photo, processed, uploaded
from tests.posts.conftest import account

MOTO_SERVER = str(Path(sys.executable).parent / "moto_server")
BUCKET = "inkwell-media"
PREFIX = "site-a/"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    with serving([MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)], port):
        yield f"http://127.0.0.1:{port}"


def _s3_settings(settings: Settings, endpoint: str) -> Settings:
    return settings.model_copy(
        update={
            "media_storage": "s3",
            "media_s3_bucket": BUCKET,
            "media_s3_prefix": PREFIX,
            "media_s3_endpoint_url": endpoint,
            "media_s3_region": "us-east-1",
            "media_s3_access_key_id": "testing",
            "media_s3_secret_access_key": SecretStr("testing"),
        }
    )


@pytest.fixture
async def s3_settings(settings: Settings, s3_endpoint: str) -> AsyncIterator[Settings]:
    """Settings storing media in a fresh bucket of the server."""
    s3 = _s3_settings(settings, s3_endpoint)
    session = aioboto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    async with session.client("s3", endpoint_url=s3_endpoint) as client:
        await client.create_bucket(Bucket=BUCKET)
        yield s3
        listed = await client.list_objects_v2(Bucket=BUCKET)
        for item in listed.get("Contents", []):
            await client.delete_object(Bucket=BUCKET, Key=item["Key"])
        await client.delete_bucket(Bucket=BUCKET)


async def _keys(settings: Settings) -> set[str]:
    storage = storage_for(settings)
    assert isinstance(storage, S3Storage)
    async with storage.session.client("s3", endpoint_url=storage.endpoint_url) as client:
        listed = await client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


async def test_put_fetch_delete_and_presigned_urls(s3_settings: Settings, tmp_path: Path) -> None:
    storage = storage_for(s3_settings)
    data = photo("JPEG")
    await storage.put("abc.jpg", io.BytesIO(data), "image/jpeg")
    assert await _keys(s3_settings) == {f"{PREFIX}abc.jpg"}
    assert storage.local_path("abc.jpg") is None

    await storage.fetch("abc.jpg", tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    url = await storage.download_url("abc.jpg")
    assert "X-Amz-Signature=" in url
    async with httpx.AsyncClient() as client:
        fetched = await client.get(url)
    assert (fetched.status_code, fetched.content) == (200, data)
    assert fetched.headers["content-type"] == "image/jpeg"

    await storage.delete(["abc.jpg", "never-there.jpg"])
    await storage.delete([])
    assert await _keys(s3_settings) == set()


async def test_an_upload_is_processed_and_served_from_the_bucket(
    app_state: AppState, s3_settings: Settings, session: AsyncSession
) -> None:
    app_state.settings = s3_settings
    alice = await account(app_state, session, "alice")
    async with api_client(app_state) as client:
        media_id = await uploaded(client, alice.headers, photo("JPEG", 1000, 700))
        key = await session.scalar(select(Media.key).where(Media.id == uuid.UUID(media_id)))
        assert await _keys(s3_settings) == {f"{PREFIX}incoming/{key}"}
        assert await processed(app_state, media_id) == MediaStatus.READY
        body = (await client.get(f"/api/v1/media/{media_id}", headers=alice.headers)).json()
        urls = {body["original"]["url"], *(variant["url"] for variant in body["variants"])}
        assert await _keys(s3_settings) == {PREFIX + url.rpartition("/")[2] for url in urls}

        redirect = await client.get(body["original"]["url"])
        assert redirect.status_code == 307
        assert redirect.headers["cache-control"] == "private, max-age=60"
        async with httpx.AsyncClient() as outside:
            stored = await outside.get(redirect.headers["location"])
    assert stored.status_code == 200
    with Image.open(io.BytesIO(stored.content)) as image:
        assert image.size == (700, 1000)
        assert not image.getexif().get_ifd(GPS_IFD)


async def test_the_sweep_removes_orphans_from_the_bucket(
    app_state: AppState, s3_settings: Settings, session: AsyncSession, tmp_path: Path
) -> None:
    app_state.settings = s3_settings
    alice = await account(app_state, session, "alice")
    async with api_client(app_state) as client:
        media_id = await uploaded(client, alice.headers, photo("JPEG", 200, 100))
    key = await session.scalar(select(Media.key).where(Media.id == uuid.UUID(media_id)))
    storage = storage_for(s3_settings)
    orphan = new_key()
    for name in (f"incoming/{orphan}", f"{orphan}-320.webp", "backup/notes.txt"):
        await storage.put(name, io.BytesIO(b"x"), "application/octet-stream")

    # A day from now every object is past the grace period; the processing upload stays.
    later = utcnow() + timedelta(hours=s3_settings.media_orphan_grace_hours + 1)
    assert await sweep_orphans(app_state.sessionmaker, s3_settings, later, tmp_path) == 2
    assert await _keys(s3_settings) == {f"{PREFIX}incoming/{key}", f"{PREFIX}backup/notes.txt"}
