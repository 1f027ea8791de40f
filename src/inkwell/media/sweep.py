"""The hourly sweep of stored files no upload accounts for.

A crash can leave files behind: an upload's request that stored `incoming/<key>` and then
failed before its row committed, a job that stored the clean files of an upload deleted
meanwhile, a failed upload's `incoming/` file, a worker killed while writing a file (a
`.partial-` name) or while processing (its work directory). Files last written more than
INKWELL_MEDIA_ORPHAN_GRACE_HOURS ago that no row accounts for are removed; names that are
not Inkwell's are left alone.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.media.files import INCOMING_NAME, KEY_LENGTH, SERVED_NAME
from inkwell.media.processing import WORKDIR_PREFIX
from inkwell.media.repository import MediaRepository
from inkwell.media.storage import PARTIAL_PREFIX, storage_for
from inkwell.models.media import Media, MediaStatus

logger = logging.getLogger(__name__)


def key_of(name: str) -> str | None:
    """The upload key a stored file's name carries; None for names that are not an upload's."""
    if incoming := INCOMING_NAME.fullmatch(name):
        return incoming[1]
    return name[:KEY_LENGTH] if SERVED_NAME.fullmatch(name) else None


def is_partial(name: str) -> bool:
    return name.rpartition("/")[2].startswith(PARTIAL_PREFIX)


def kept_names(media: Media) -> set[str] | None:
    """The files of an upload to keep: all while it is processing (None), the clean original
    and variants once ready, nothing once failed."""
    if media.status == MediaStatus.PROCESSING:
        return None
    if media.status == MediaStatus.FAILED:
        return set()
    meta = media.meta
    return {meta["original"]["name"], *(variant["name"] for variant in meta["variants"])}


def orphans(names: Iterable[str], uploads: dict[str, Media]) -> list[str]:
    """The names among `names` that no upload accounts for (`uploads` by key)."""
    found = []
    for name in names:
        key = key_of(name)
        if key is None:
            if is_partial(name):
                found.append(name)
            continue
        media = uploads.get(key)
        kept = kept_names(media) if media is not None else set()
        if kept is not None and name not in kept:
            found.append(name)
    return found


async def sweep_orphans(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    workdirs: Path | None = None,
) -> int:
    """Remove the stored files no upload accounts for that are older than the grace period,
    and stale work directories in `workdirs` (the temporary directory of this machine, where
    the job makes them); how many files and directories went."""
    before = now - timedelta(hours=settings.media_orphan_grace_hours)
    storage = storage_for(settings)
    removed = 0
    async for names in storage.older_than(before):
        keys = {key for name in names if (key := key_of(name)) is not None}
        async with unit_of_work(sessionmaker) as session:
            uploads = await MediaRepository(session).by_keys(keys) if keys else {}
        gone = orphans(names, uploads)
        await storage.delete(gone)
        removed += len(gone)
    removed += remove_stale_workdirs(workdirs or Path(tempfile.gettempdir()), before)
    if removed:
        logger.warning("the media sweep removed %s orphaned files", removed)
    return removed


def remove_stale_workdirs(parent: Path, before: datetime) -> int:
    """Remove processing jobs' work directories in `parent` last changed before `before`
    (a worker killed mid-job leaves its directory behind)."""
    stale = [
        path
        for path in parent.glob(f"{WORKDIR_PREFIX}*")
        if path.is_dir() and path.stat().st_mtime < before.timestamp()
    ]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)
