"""A real worker: it publishes a scheduled post in time, runs again the job of a worker that
died, and `inkwell worker` starts and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.jobs.tasks import Resources, retry_stalled_jobs
from inkwell.jobs.worker import InProcessWorker, create_job_app
from inkwell.main import create_app
from tests.factories import create_user
from tests.jobs.support import events_of, scheduled_post, status_of


async def _eventually(check: Callable[[], Awaitable[bool]], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def _scalar(state: AppState, sql: str, **values: object) -> object:
    async with state.sessionmaker() as session:
        return await session.scalar(text(sql), values)


async def test_the_worker_publishes_a_scheduled_post_within_five_seconds(
    committed: AppState,
) -> None:
    async with committed.sessionmaker() as session:
        author = await create_user(session)
        post = await scheduled_post(session, author, in_seconds=1)
    assert post.published_at is not None
    worker = InProcessWorker(committed.settings, committed.sessionmaker)

    async def published() -> bool:
        async with committed.sessionmaker() as session:
            return await status_of(session, post.id) == "published"

    try:
        assert await _eventually(published, within=7)
        late = (datetime.now(UTC) - post.published_at).total_seconds()
    finally:
        await worker.stop()
    assert late < 5
    async with committed.sessionmaker() as session:
        assert await events_of(session, post.id, "post.published") == 1


async def test_a_job_whose_worker_died_runs_again(committed: AppState) -> None:
    async with committed.sessionmaker() as session:
        author = await create_user(session)
        post = await scheduled_post(session, author, in_seconds=0.2)
    await asyncio.sleep(0.3)
    app = create_job_app(committed.settings)
    async with app.open_async():
        # A worker takes the job and dies: no heartbeat since, the job left "doing".
        dead = await app.job_manager.register_worker()
        taken = await app.job_manager.fetch_job(queues=None, worker_id=dead)
        assert taken is not None
        await app.connector.execute_query_async(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
        )
        assert await retry_stalled_jobs(app.job_manager, seconds_since_heartbeat=30) == 1
    worker = InProcessWorker(committed.settings, committed.sessionmaker)

    async def job_done() -> bool:
        sql = "SELECT count(*) FROM procrastinate_jobs WHERE id = :id"
        left = await _scalar(committed, sql, id=taken.id)
        return left == 0

    try:
        assert await _eventually(job_done, within=7)
    finally:
        await worker.stop()
    async with committed.sessionmaker() as session:
        assert await status_of(session, post.id) == "published"
        assert await events_of(session, post.id, "post.published") == 1


async def test_a_stalled_periodic_job_gives_way_to_its_next_run(committed: AppState) -> None:
    app = create_job_app(committed.settings)
    sweep = app.configure_task("inkwell:publish_due_posts")
    async with app.open_async():
        await sweep.defer_async(timestamp=0)
        dead = await app.job_manager.register_worker()
        taken = await app.job_manager.fetch_job(queues=None, worker_id=dead)
        assert taken is not None
        await sweep.defer_async(timestamp=60)
        await app.connector.execute_query_async(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
        )
        assert await retry_stalled_jobs(app.job_manager, seconds_since_heartbeat=30) == 1
    statuses = "SELECT string_agg(status::text, ',' ORDER BY id) FROM procrastinate_jobs"
    assert await _scalar(committed, statuses) == "aborted,todo"


async def test_the_periodic_jobs_run_in_a_worker(committed: AppState) -> None:
    async with committed.sessionmaker() as session:
        author = await create_user(session)
        post = await scheduled_post(session, author, in_seconds=0.1)
        await session.execute(text("DELETE FROM procrastinate_jobs"))
        await session.commit()
    await asyncio.sleep(0.2)
    app = create_job_app(committed.settings)
    periodic = {task.task.name for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic == {
        "inkwell:publish_due_posts",
        "inkwell:prune",
        "inkwell:sweep_media",
        "inkwell:retry_stalled_jobs",
        "inkwell:mail_notifications",
        "inkwell:expire_exports",
    }
    resources = Resources(committed.settings, committed.sessionmaker)
    async with app.open_async():
        for name in periodic:
            await app.configure_task(name).defer_async(timestamp=0)
        await app.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context={"resources": resources}
        )
    left = "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'"
    assert await _scalar(committed, left) == 0
    async with committed.sessionmaker() as session:
        assert await events_of(session, post.id, "post.published") == 1


async def test_serve_runs_a_worker_in_process_when_configured(committed: AppState) -> None:
    settings = committed.settings.model_copy(update={"worker_in_process": True})
    app = create_app(settings)
    workers = "SELECT count(*) FROM procrastinate_workers"
    async with app.router.lifespan_context(app):
        assert await _eventually(lambda: _is(_scalar(committed, workers), 1), within=5)
    assert await _scalar(committed, workers) == 0


async def _is(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


async def test_inkwell_worker_starts_and_stops_cleanly(
    committed: AppState, database_url: str
) -> None:
    env = {**os.environ, "INKWELL_DATABASE_URL": database_url, "INKWELL_ENV": "test"}
    command = [sys.executable, "-m", "inkwell.cli", "worker"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    workers = "SELECT count(*) FROM procrastinate_workers"
    try:
        assert await _eventually(lambda: _is(_scalar(committed, workers), 1), within=15)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, output.decode()
    assert await _scalar(committed, workers) == 0
