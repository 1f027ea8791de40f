"""Media rules: what an upload must be, whose quota it counts against, who may delete it."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.queue import DELETE_MEDIA_FILES, PROCESS_MEDIA, JobQueue
from inkwell.events.catalogue import MediaDeleted, MediaUploaded
from inkwell.events.outbox import Outbox
from inkwell.media import images
from inkwell.media.exceptions import (
    EmptyFile,
    FileTooLarge,
    MediaNotFound,
    MediaNotUsable,
    NotMediaOwner,
    QuotaExceeded,
)
from inkwell.media.files import (
    KEY_LENGTH,
    SERVED_NAME,
    content_type_of,
    image_files,
    incoming_name,
    media_url,
    new_key,
    stored_names,
)
from inkwell.media.repository import MediaRepository
from inkwell.media.storage import Storage
from inkwell.models.media import Media, MediaStatus
from inkwell.models.user import Role, User


@dataclass(frozen=True, slots=True)
class MediaPage:
    items: list[Media]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where a served file is: a path on this machine, or a URL to send the client to."""

    content_type: str
    path: Path | None = None
    redirect_url: str | None = None


class MediaService:
    def __init__(
        self,
        *,
        media: MediaRepository,
        storage: Storage,
        events: Outbox,
        jobs: JobQueue,
        settings: Settings,
    ) -> None:
        self.media = media
        self.storage = storage
        self.events = events
        self.jobs = jobs
        self.settings = settings

    async def upload(self, *, user: User, file: IO[bytes]) -> Media:
        """Accept an image (its type read from its content) and queue its processing."""
        size = self._checked_size(file)
        found = await asyncio.to_thread(images.probe, file, self.settings.media_max_pixels)
        await self._reserve(user, size)
        media = await self.media.add(
            Media(
                owner_id=user.id,
                key=new_key(),
                content_type=found.kind.content_type,
                byte_size=size,
                meta={"width": found.width, "height": found.height},
            )
        )
        await self.storage.put(incoming_name(media.key), file, found.kind.content_type)
        await self.events.record(
            MediaUploaded(
                media_id=media.id,
                owner_id=user.id,
                content_type=media.content_type,
                byte_size=size,
            )
        )
        await self.jobs.defer(PROCESS_MEDIA, at=utcnow(), media_id=str(media.id))
        return media

    async def get(self, *, media_id: uuid.UUID, user: User) -> Media:
        """An upload, to its uploader or an admin (others are told it does not exist)."""
        media = await self.media.get(media_id)
        if media is None or (media.owner_id != user.id and user.role != Role.ADMIN):
            raise MediaNotFound
        return media

    async def mine(self, *, user: User, page: int, page_size: int) -> MediaPage:
        """The user's uploads, newest first."""
        items, total = await self.media.list_by_owner(
            user.id, limit=page_size, offset=(page - 1) * page_size
        )
        return MediaPage(items=items, total=total, page=page, page_size=page_size)

    async def delete(self, *, media_id: uuid.UUID, user: User) -> None:
        """Delete an upload (its uploader or an admin); its files go once this commits."""
        media = await self.media.get(media_id)
        if media is None:
            raise MediaNotFound
        if media.owner_id != user.id and user.role != Role.ADMIN:
            raise NotMediaOwner
        await self.media.clear_uses(media.id)
        await self.media.delete(media.id)
        await self.events.record(
            MediaDeleted(media_id=media.id, owner_id=media.owner_id, actor_id=user.id)
        )
        names = ",".join(stored_names(media))
        await self.jobs.defer(DELETE_MEDIA_FILES, at=utcnow(), names=names)

    def _checked_size(self, file: IO[bytes]) -> int:
        size = file.seek(0, os.SEEK_END)
        file.seek(0)
        if size == 0:
            raise EmptyFile
        if size > self.settings.media_max_bytes:
            raise FileTooLarge(self.settings.media_max_bytes)
        return size

    async def _reserve(self, user: User, size: int) -> None:
        await self.media.lock_owner(user.id)
        used = await self.media.used_bytes(user.id)
        if used + size > self.settings.media_quota_bytes:
            raise QuotaExceeded(used, size, self.settings.media_quota_bytes)


async def avatar_url_of(
    repository: MediaRepository, settings: Settings, *, user: User, media_id: uuid.UUID
) -> str:
    """The URL of the user's ready upload to show as their avatar."""
    media = await repository.get(media_id)
    if media is None or media.owner_id != user.id:
        raise MediaNotUsable("is not one of your uploads")
    if media.status != MediaStatus.READY:
        raise MediaNotUsable(f"is {media.status}, not ready")
    return media_url(settings, media.meta["original"]["name"])


async def cover_of(
    repository: MediaRepository, settings: Settings, *, owner_id: uuid.UUID, media_id: uuid.UUID
) -> dict[str, Any]:
    """What a post shows of its cover: the author's ready upload, as a media response has it."""
    media = await repository.get(media_id)
    if media is None or media.owner_id != owner_id:
        raise MediaNotUsable("is not one of the author's uploads", "cover_media_id")
    if media.status != MediaStatus.READY:
        raise MediaNotUsable(f"is {media.status}, not ready", "cover_media_id")
    return {"media_id": str(media.id), **image_files(media, settings)}


async def sizes_of_images(
    repository: MediaRepository, settings: Settings, urls: list[str]
) -> dict[str, tuple[int, int]]:
    """Width and height of the images among `urls` that are files of ready uploads here."""
    ours = {
        url: name
        for url in urls
        if SERVED_NAME.fullmatch(name := url.rpartition("/")[2])
        and media_url(settings, name) == url
    }
    if not ours:
        return {}
    sizes = await repository.sizes_of_files({name[:KEY_LENGTH] for name in ours.values()})
    return {url: sizes[name] for url, name in ours.items() if name in sizes}


async def locate(storage: Storage, name: str) -> StoredFile:
    """The served file `name` (an original or a variant; nothing else is reachable)."""
    if not SERVED_NAME.fullmatch(name):
        raise MediaNotFound
    content_type = content_type_of(name)
    path = storage.local_path(name)
    if path is None:
        return StoredFile(content_type, redirect_url=await storage.download_url(name))
    if not path.is_file():
        raise MediaNotFound
    return StoredFile(content_type, path=path)
