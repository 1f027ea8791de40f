"""The work of the import and export jobs, and the sweep of expired archives (each step its
own transaction; a job run again after a crash does no harm: an import skips what it wrote)."""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.porting.batch import ImportReport
from inkwell.porting.exceptions import ImportFileInvalid
from inkwell.porting.exporter import site_document, user_document, write_archive
from inkwell.porting.files import archive_name, archive_storage
from inkwell.porting.importer import import_file
from inkwell.porting.repository import JobRepository

logger = logging.getLogger(__name__)
FINISHED = {"done", "failed"}
EXPIRED_PER_TRANSACTION = 100


async def run_import(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, import_id: uuid.UUID
) -> None:
    """Import an uploaded file, keeping the job's progress current; then drop the upload."""
    async with unit_of_work(sessionmaker) as session:
        job = await JobRepository(session).get_import(import_id)
        if job is None or job.status in FINISHED:
            return
        await JobRepository(session).set_progress(import_id, status="running")
    storage = archive_storage(settings)

    async def progress(report: ImportReport) -> None:
        async with unit_of_work(sessionmaker) as session:
            await JobRepository(session).set_progress(import_id, progress=dict(report.counts()))

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "upload"
        await storage.fetch(job.file_name, path)
        try:
            report = await import_file(
                sessionmaker,
                kind=job.source,
                path=path,
                max_depth=settings.comment_max_depth,
                progress=progress,
            )
        except ImportFileInvalid as error:
            await _finish_import(sessionmaker, import_id, status="failed", errors=[error.detail])
        else:
            await _finish_import(
                sessionmaker,
                import_id,
                status="done",
                progress=dict(report.counts()),
                errors=report.errors[:100],
            )
    await storage.delete([job.file_name])


async def _finish_import(
    sessionmaker: async_sessionmaker[AsyncSession], import_id: uuid.UUID, **values: object
) -> None:
    async with unit_of_work(sessionmaker) as session:
        await JobRepository(session).set_progress(import_id, finished_at=utcnow(), **values)


async def run_export(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, export_id: uuid.UUID
) -> None:
    """Make the archive, store it, and mark the export ready until it expires."""
    async with unit_of_work(sessionmaker) as session:
        jobs = JobRepository(session)
        job = await jobs.get_export(export_id)
        if job is None or job.status == "ready":
            return
        await jobs.set_export(export_id, status="running")
        if job.kind == "site":
            document = await site_document(session)
        else:
            document = await user_document(session, job.user_id)
    name = archive_name(settings, export_id)
    with tempfile.TemporaryFile() as file:
        write_archive(document, file)
        size = file.tell()
        await archive_storage(settings).put(name, file, "application/zip")
    now = utcnow()
    expires = now + timedelta(hours=settings.export_retention_hours)
    async with unit_of_work(sessionmaker) as session:
        await JobRepository(session).set_export(
            export_id,
            status="ready",
            file_name=name,
            size=size,
            finished_at=now,
            expires_at=expires,
        )


async def expire_exports(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Delete the archives (and their rows) whose time is over; how many went."""
    storage = archive_storage(settings)
    removed = 0
    while True:
        async with unit_of_work(sessionmaker) as session:
            jobs = JobRepository(session)
            expired = await jobs.expired_exports(utcnow(), EXPIRED_PER_TRANSACTION)
            await storage.delete([job.file_name for job in expired if job.file_name])
            for job in expired:
                await jobs.delete_export(job.id)
        removed += len(expired)
        if len(expired) < EXPIRED_PER_TRANSACTION:
            break
    if removed:
        logger.info("removed %s expired export archives", removed)
    return removed
