"""The job worker: procrastinate's, over its own psycopg pool, running the tasks of tasks.py,
and beside it the in-process consumers of the outbox (webhooks, notifications).

Jobs are deferred by the app's own transactions (core/queue.py); the worker only runs them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress

from procrastinate import App, PsycopgConnector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.events.consumer import OutboxConsumers
from inkwell.jobs.tasks import Resources, register_tasks
from inkwell.live.bus import Bus, open_bus
from inkwell.live.messages import LiveMessage
from inkwell.notifications.consumer import Publish, notifications_consumer
from inkwell.notifications.records import LiveNotice
from inkwell.webhooks.consumer import WEBHOOKS

# How often a worker looks for jobs besides being woken by a NOTIFY. A job deferred to a
# later time wakes nobody when its time comes, so this bounds how late a scheduled post is.
POLL_SECONDS = 1.0
NOTIFICATION_MESSAGE = "notification"  # the type of a `user:me` message

log = logging.getLogger("inkwell.jobs.worker")


def libpq_url(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (`postgresql+asyncpg://` -> `postgresql://`)."""
    scheme, separator, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{separator}{rest}"


def create_job_app(settings: Settings) -> App:
    if not settings.database_url:
        raise RuntimeError("INKWELL_DATABASE_URL is not set")
    connector = PsycopgConnector(
        conninfo=libpq_url(settings.database_url),
        min_size=1,
        max_size=settings.worker_concurrency + 2,
        kwargs={"application_name": "inkwell-worker"},
    )
    app = App(connector=connector)
    register_tasks(app)
    return app


async def run_worker(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    install_signal_handlers: bool,
) -> None:
    """Run jobs and the outbox consumers until cancelled or, with signal handlers, until
    SIGINT or SIGTERM; a job running then is let finish."""
    app = create_job_app(settings)
    bus = open_bus(settings, sessionmaker)
    notifications = notifications_consumer(settings, live_publisher(bus))
    consumers = OutboxConsumers(settings, sessionmaker, [WEBHOOKS, notifications])
    consuming = asyncio.create_task(consumers.run_forever(), name="inkwell-outbox-consumers")
    try:
        async with app.open_async():
            await app.run_worker_async(
                concurrency=settings.worker_concurrency,
                fetch_job_polling_interval=POLL_SECONDS,
                additional_context={"resources": Resources(settings, sessionmaker)},
                install_signal_handlers=install_signal_handlers,
                delete_jobs="successful",
            )
    finally:
        consuming.cancel()
        with suppress(asyncio.CancelledError):
            await consuming
        await bus.close()


def live_publisher(bus: Bus) -> Publish:
    """Sends the notifications' consumer's notices to live clients (`user:me`) over the bus."""

    async def publish(notices: Sequence[LiveNotice]) -> None:
        messages = [
            LiveMessage(
                notice.channel,
                notice.seq,
                NOTIFICATION_MESSAGE,
                {"notification": notice.notification, "unread_count": notice.unread_count},
            )
            for notice in notices
        ]
        try:
            await bus.publish(messages)
        except Exception:  # the batch has committed: clients read it through REST
            log.exception("notifications were not published to live clients")

    return publish


class InProcessWorker:
    """The worker `inkwell serve` runs beside the API when no `inkwell worker` is configured."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.task = asyncio.create_task(
            run_worker(settings, sessionmaker, install_signal_handlers=False),
            name="inkwell-worker",
        )

    async def stop(self) -> None:
        """Stop taking jobs, let the running ones finish, and return."""
        self.task.cancel()
        with suppress(asyncio.CancelledError):
            await self.task
