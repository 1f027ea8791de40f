"""The processing job's work: fetch the upload, make the clean original and the variants,
store them, and record the outcome (`ready`, or `failed` with the reason)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.events.catalogue import MediaReady
from inkwell.events.outbox import Outbox
from inkwell.media import images
from inkwell.media.exceptions import ImageBroken
from inkwell.media.files import content_type_of, incoming_name, original_name, variant_name
from inkwell.media.repository import MediaRepository
from inkwell.media.storage import Storage, storage_for
from inkwell.models.media import Media, MediaStatus

logger = logging.getLogger(__name__)
WORKDIR_PREFIX = "inkwell-media-"  # the job's temporary directories (the sweep's to remove)
KINDS_BY_TYPE = {kind.content_type: kind for kind in images.KINDS.values()}
# Images decoded at once in this process, per event loop (a semaphore belongs to one loop).
_DECODING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def decoding_slots(limit: int) -> asyncio.Semaphore:
    """The process's limit on images decoded at once: each holds its full-size pixels (about
    150 MiB for 12 megapixels), so the worker's memory follows this, not its job concurrency."""
    loop = asyncio.get_running_loop()
    if loop not in _DECODING:
        _DECODING[loop] = asyncio.Semaphore(limit)
    return _DECODING[loop]


class MediaProcessor:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.storage: Storage = storage_for(settings)

    async def run(self, media_id: uuid.UUID) -> MediaStatus | None:
        """Process one upload; None when it is gone or was processed already."""
        async with unit_of_work(self.sessionmaker) as session:
            media = await MediaRepository(session).get(media_id)
        if media is None or media.status != MediaStatus.PROCESSING:
            return None
        with tempfile.TemporaryDirectory(prefix=WORKDIR_PREFIX) as workdir:
            try:
                meta = await self._make_files(media, Path(workdir))
            except ImageBroken as broken:
                return await self._finish(media, MediaStatus.FAILED, media.meta, str(broken))
        status = await self._finish(media, MediaStatus.READY, meta, None)
        await self.storage.delete([incoming_name(media.key)])
        return status

    async def _make_files(self, media: Media, workdir: Path) -> dict[str, Any]:
        source = workdir / "upload"
        await self.storage.fetch(incoming_name(media.key), source)
        kind = KINDS_BY_TYPE[media.content_type]
        widths = self.settings.media_variant_widths
        out = workdir / "out"
        out.mkdir()
        async with decoding_slots(self.settings.media_processing_concurrency):
            done = await asyncio.to_thread(images.process, source, kind, widths, out)
        original = original_name(media.key, done.original.extension)
        await self._put(original, done.original.path)
        variants = [
            await self._described(variant_name(media.key, variant.width), variant)
            for variant in done.variants
        ]
        return {
            "width": done.original.width,
            "height": done.original.height,
            "dominant_color": done.dominant_color,
            "animated": done.animated,
            "original": _file(original, done.original),
            "variants": variants,
        }

    async def _described(self, name: str, output: images.Output) -> dict[str, Any]:
        await self._put(name, output.path)
        return _file(name, output)

    async def _put(self, name: str, path: Path) -> None:
        with path.open("rb") as file:
            await self.storage.put(name, file, content_type_of(name))

    async def _finish(
        self, media: Media, status: MediaStatus, meta: dict[str, Any], reason: str | None
    ) -> MediaStatus | None:
        async with unit_of_work(self.sessionmaker) as session:
            at = utcnow() if status == MediaStatus.READY else None
            repository = MediaRepository(session)
            if not await repository.finish(
                media.id, status=status, meta=meta, reason=reason, at=at
            ):
                return None
            if status == MediaStatus.READY:
                await Outbox(session, self.settings).record(_ready(media, meta))
        logger.info("media %s %s%s", media.id, status, f": {reason}" if reason else "")
        return status


def _file(name: str, output: images.Output) -> dict[str, Any]:
    return {"name": name, "width": output.width, "height": output.height, "bytes": output.size}


def _ready(media: Media, meta: dict[str, Any]) -> MediaReady:
    return MediaReady(
        media_id=media.id,
        owner_id=media.owner_id,
        width=meta["width"],
        height=meta["height"],
        variant_widths=[variant["width"] for variant in meta["variants"]],
    )


async def delete_files(settings: Settings, names: list[str]) -> None:
    """Remove the files of a deleted upload (after the deletion committed)."""
    await storage_for(settings).delete(names)
