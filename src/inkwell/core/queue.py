"""Deferring a job in the caller's transaction: it exists if and only if the change commits."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

# Task names, shared by the code that defers a job and the worker that runs it: the worker's
# app registers the tasks under NAMESPACE ("inkwell:publish_scheduled_post").
NAMESPACE = "inkwell"
PUBLISH_SCHEDULED_POST = "publish_scheduled_post"
DELIVER_WEBHOOK = "deliver_webhook"
SEND_EMAIL = "send_email"
SEND_PASSWORD_RESET = "send_password_reset"  # noqa: S105 (a task name)
PROCESS_MEDIA = "process_media"
DELETE_MEDIA_FILES = "delete_media_files"
RUN_IMPORT = "run_import"
RUN_EXPORT = "run_export"
QUEUE = "default"

# procrastinate's own function for deferring jobs (what its `defer_async` calls), run on the
# session's connection so the job row commits or rolls back with the change that asked for it.
_DEFER = (
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW("
    "$1::varchar, $2::varchar, 0, NULL::text, NULL::text, ($3::text)::jsonb, $4::timestamptz"
    ")::procrastinate_job_to_defer_v1])"
)


class JobQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def defer(self, task_name: str, *, at: datetime, **arguments: str) -> None:
        """Queue `task_name(**arguments)` to run at `at`, in the session's transaction."""
        connection = await self.session.connection()
        name = f"{NAMESPACE}:{task_name}"
        await connection.exec_driver_sql(_DEFER, (QUEUE, name, json.dumps(arguments), at))
