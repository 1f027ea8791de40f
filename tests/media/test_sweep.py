"""The media sweep: stored files no upload accounts for (a crash's leftovers) are removed
once older than the grace period; files of live uploads, young files and names that are not
Inkwell's stay."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.state import AppState
from inkwell.media.files import new_key
from inkwell.media.processing import WORKDIR_PREFIX
from inkwell.media.sweep import key_of, remove_stale_workdirs, sweep_orphans
from inkwell.models.media import Media, MediaStatus
from tests.posts.conftest import Account

DAY = 24 * 3600


def _meta(key: str) -> dict[str, Any]:
    original = {"name": f"{key}.jpg", "width": 900, "height": 600, "bytes": 10}
    variant = {"name": f"{key}-320.webp", "width": 320, "height": 213, "bytes": 5}
    return {"width": 900, "height": 600, "original": original, "variants": [variant]}


async def _upload(session: AsyncSession, owner: Account, status: MediaStatus) -> str:
    key = new_key()
    meta = _meta(key) if status == MediaStatus.READY else {}
    media = Media(
        owner_id=owner.user.id,
        key=key,
        content_type="image/jpeg",
        byte_size=10,
        status=status,
        meta=meta,
    )
    session.add(media)
    await session.flush()
    return key


def _file(root: Path, name: str, age_seconds: float) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    then = path.stat().st_mtime - age_seconds
    os.utime(path, (then, then))


def _left(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


async def test_old_files_no_upload_accounts_for_are_removed(
    media_state: AppState, alice: Account, session: AsyncSession, tmp_path: Path
) -> None:
    root = media_state.settings.media_root
    processing = await _upload(session, alice, MediaStatus.PROCESSING)
    ready = await _upload(session, alice, MediaStatus.READY)
    failed = await _upload(session, alice, MediaStatus.FAILED)
    never_committed, recent = new_key(), new_key()
    kept = {
        f"incoming/{processing}",  # its job has yet to run
        f"{ready}.jpg",
        f"{ready}-320.webp",
        f"incoming/{recent}",  # within the grace period: its request may still commit
        "notes.txt",  # not a name Inkwell writes
        ".partial-young",
    }
    removed = {
        f"incoming/{never_committed}",  # the request failed after storing it
        f"{never_committed}.jpg",  # processed, then its upload deleted before the job ended
        f"incoming/{ready}",  # the job stopped after recording `ready`
        f"{ready}-1600.webp",  # not among the upload's files
        f"incoming/{failed}",
        ".partial-abc123",  # a write cut short
        "incoming/.partial-def456",
    }
    for name in kept | removed:
        _file(root, name, 0 if name in {f"incoming/{recent}", ".partial-young"} else 2 * DAY)

    swept = await sweep_orphans(media_state.sessionmaker, media_state.settings, utcnow(), tmp_path)
    assert swept == len(removed)
    assert _left(root) == kept
    assert (
        await sweep_orphans(media_state.sessionmaker, media_state.settings, utcnow(), tmp_path) == 0
    )


async def test_a_sweep_of_an_empty_store_removes_nothing(media_state: AppState) -> None:
    now = utcnow() + timedelta(days=30)
    empty = media_state.settings.media_root / "nothing-here"
    assert await sweep_orphans(media_state.sessionmaker, media_state.settings, now, empty) == 0


def test_the_key_of_a_name_is_read_only_from_inkwells_own_names() -> None:
    key = new_key()
    assert key_of(f"incoming/{key}") == key
    assert key_of(f"{key}.webp") == key
    assert key_of(f"{key}-800.webp") == key
    assert key_of(f"incoming/{key}x") is None
    assert key_of(f"other/{key}") is None
    assert key_of(f"{key}.svg") is None
    assert key_of("notes.txt") is None


def test_a_crashed_jobs_work_directory_goes_after_the_grace_period(tmp_path: Path) -> None:
    (tmp_path / f"{WORKDIR_PREFIX}stale").mkdir()
    (tmp_path / f"{WORKDIR_PREFIX}stale" / "upload").write_bytes(b"x")
    (tmp_path / f"{WORKDIR_PREFIX}busy").mkdir()
    (tmp_path / "someone-elses").mkdir()
    old = (tmp_path / f"{WORKDIR_PREFIX}stale").stat().st_mtime - 2 * DAY
    os.utime(tmp_path / f"{WORKDIR_PREFIX}stale", (old, old))
    os.utime(tmp_path / "someone-elses", (old, old))

    assert remove_stale_workdirs(tmp_path, utcnow() - timedelta(days=1)) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{WORKDIR_PREFIX}busy",
        "someone-elses",
    ]
