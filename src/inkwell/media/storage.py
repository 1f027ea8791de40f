"""Where media files live: one interface, a local directory (the default) or an S3 bucket.

Names are flat (`<key>.jpg`, `<key>-320.webp`, `incoming/<key>`); the key is random, so a name
says nothing about the uploader or the client's file name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from inkwell.core.config import Settings

PARTIAL_PREFIX = ".partial-"  # a local file being written; renamed into place when complete
LISTING_PAGE = 1000  # names per page of a listing (S3's own page size)


class Storage(Protocol):
    async def put(self, name: str, file: IO[bytes], content_type: str) -> None:
        """Store the file's bytes (from its start) under `name`, replacing what was there."""

    async def fetch(self, name: str, target: Path) -> None:
        """Copy the stored file `name` to the local path `target`."""

    async def delete(self, names: Sequence[str]) -> None:
        """Remove the named files; names not there are ignored."""

    def local_path(self, name: str) -> Path | None:
        """The file on this machine's disk, for serving it; None when storage is remote."""

    async def download_url(self, name: str) -> str:
        """A URL from which a client fetches the file (a presigned one for S3)."""

    def older_than(self, before: datetime) -> AsyncIterator[list[str]]:
        """Pages of the names of every stored file last written before `before`."""


class LocalStorage:
    """Files in a directory: written to a temporary name and renamed, so a reader never sees
    half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, name: str, file: IO[bytes], content_type: str) -> None:  # noqa: ARG002 (the name says it)
        await asyncio.to_thread(self._write, self.root / name, file)

    async def fetch(self, name: str, target: Path) -> None:
        await asyncio.to_thread(shutil.copyfile, self.root / name, target)

    async def delete(self, names: Sequence[str]) -> None:
        for name in names:
            (self.root / name).unlink(missing_ok=True)

    def local_path(self, name: str) -> Path | None:
        return self.root / name

    async def download_url(self, name: str) -> str:
        return (self.root / name).as_uri()

    async def older_than(self, before: datetime) -> AsyncIterator[list[str]]:
        names = await asyncio.to_thread(self._older_than, before.timestamp())
        for start in range(0, len(names), LISTING_PAGE):
            yield names[start : start + LISTING_PAGE]

    def _older_than(self, cutoff: float) -> list[str]:
        found = []
        for directory, _, files in os.walk(self.root):
            for file in files:
                path = Path(directory) / file
                with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                    if path.stat().st_mtime < cutoff:
                        found.append(path.relative_to(self.root).as_posix())
        return found

    @staticmethod
    def _write(path: Path, file: IO[bytes]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        file.seek(0)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=PARTIAL_PREFIX, delete=False
        ) as partial:
            shutil.copyfileobj(file, partial, 1024 * 1024)
        os.replace(partial.name, path)


class S3Storage:
    """Any S3-compatible store, through aioboto3 (one client per call: calls are few, and
    a client is not shared across event loops)."""

    def __init__(self, settings: Settings) -> None:
        # Imported here: boto's import costs seconds, and local storage never needs it.
        import aioboto3  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415

        # Signature version 4: the presigned URLs every S3-compatible store accepts.
        self.config = Config(signature_version="s3v4")
        secret = settings.media_s3_secret_access_key
        self.session = aioboto3.Session(
            aws_access_key_id=settings.media_s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            region_name=settings.media_s3_region,
        )
        self.endpoint_url = settings.media_s3_endpoint_url
        self.bucket = str(settings.media_s3_bucket)
        self.prefix = settings.media_s3_prefix
        self.presign_seconds = settings.media_s3_presign_seconds

    def _client(self) -> Any:
        return self.session.client("s3", endpoint_url=self.endpoint_url, config=self.config)

    async def put(self, name: str, file: IO[bytes], content_type: str) -> None:
        file.seek(0)
        async with self._client() as s3:
            await s3.upload_fileobj(
                file, self.bucket, self.prefix + name, ExtraArgs={"ContentType": content_type}
            )

    async def fetch(self, name: str, target: Path) -> None:
        async with self._client() as s3:
            await s3.download_file(self.bucket, self.prefix + name, str(target))

    async def delete(self, names: Sequence[str]) -> None:
        if not names:
            return
        objects = [{"Key": self.prefix + name} for name in names]
        async with self._client() as s3:
            await s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects})

    def local_path(self, name: str) -> Path | None:  # noqa: ARG002 (remote: no local file)
        return None

    async def download_url(self, name: str) -> str:
        async with self._client() as s3:
            url: str = await s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self.prefix + name},
                ExpiresIn=self.presign_seconds,
            )
        return url

    async def older_than(self, before: datetime) -> AsyncIterator[list[str]]:
        async with self._client() as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix, PaginationConfig={"PageSize": LISTING_PAGE}
            )
            async for page in pages:
                yield [
                    item["Key"].removeprefix(self.prefix)
                    for item in page.get("Contents", [])
                    if item["LastModified"] < before
                ]


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name."""
    if settings.media_storage == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.media_root)
