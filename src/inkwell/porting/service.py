"""Imports and exports asked for over HTTP: who may, limits, and the jobs that do the work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.ids import uuid7
from inkwell.core.queue import RUN_EXPORT, RUN_IMPORT, JobQueue
from inkwell.media.storage import Storage
from inkwell.models.porting import ExportJob, ImportJob
from inkwell.models.user import Role, User
from inkwell.porting.exceptions import (
    ExportNotFound,
    ExportNotReady,
    ImportFileInvalid,
    ImportFileTooLarge,
    ImportNotFound,
)
from inkwell.porting.files import upload_name
from inkwell.porting.repository import JobRepository

READY = "ready"


@dataclass(frozen=True, slots=True)
class Archive:
    """Where a ready archive is: a local file to stream, or a URL of the remote store."""

    job: ExportJob
    path: Path | None
    url: str | None


class PortingService:
    def __init__(
        self, *, jobs: JobRepository, queue: JobQueue, storage: Storage, settings: Settings
    ) -> None:
        self.jobs = jobs
        self.queue = queue
        self.storage = storage
        self.settings = settings

    async def start_import(self, *, admin: User, source: str, file: IO[bytes]) -> ImportJob:
        """Keep the uploaded file and queue the job that imports it."""
        size = file.seek(0, 2)
        if size > self.settings.import_max_bytes:
            raise ImportFileTooLarge(
                f"An import may be at most {self.settings.import_max_bytes} bytes."
            )
        if size == 0:
            raise ImportFileInvalid("the file is empty")
        job = ImportJob(id=uuid7(), source=source, created_by=admin.id, progress={}, errors=[])
        job.file_name = upload_name(self.settings, job.id)
        await self.storage.put(job.file_name, file, "application/octet-stream")
        await self.jobs.add(job)
        await self.queue.defer(RUN_IMPORT, at=utcnow(), import_id=str(job.id))
        return job

    async def get_import(self, *, admin: User, import_id: uuid.UUID) -> ImportJob:
        """An import's status and progress, for admins."""
        job = await self.jobs.get_import(import_id)
        if job is None or admin.role != Role.ADMIN:
            raise ImportNotFound
        return job

    async def request_export(self, *, user: User, kind: str) -> ExportJob:
        """Queue the job that makes an archive of the user's data, or of the site."""
        job = ExportJob(id=uuid7(), kind=kind, user_id=user.id, status="queued")
        await self.jobs.add(job)
        await self.queue.defer(RUN_EXPORT, at=utcnow(), export_id=str(job.id))
        return job

    async def get_export(self, *, user: User, export_id: uuid.UUID) -> ExportJob:
        """An export its owner asked for; site exports are shown to every admin."""
        job = await self.jobs.get_export(export_id)
        if job is None or not _may_see(user, job):
            raise ExportNotFound
        return job

    async def archive(self, *, user: User, export_id: uuid.UUID) -> Archive:
        """Where to fetch a ready archive from."""
        job = await self.get_export(user=user, export_id=export_id)
        if job.status != READY or job.file_name is None:
            raise ExportNotReady
        local = self.storage.local_path(job.file_name)
        if local is not None:
            return Archive(job, local, None)
        return Archive(job, None, await self.storage.download_url(job.file_name))


def _may_see(user: User, job: ExportJob) -> bool:
    return job.user_id == user.id or (job.kind == "site" and user.role == Role.ADMIN)
