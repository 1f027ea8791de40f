"""The jobs: scheduled publishing, its sweep, webhook deliveries, mail, media processing,
pruning, and the retry of stalled jobs.

Each task opens one transaction (`unit_of_work`) and is idempotent: running it twice changes
what running it once did, no more (a publication checks the post is still scheduled; a prune
deletes what is past its retention, which a second run finds already gone).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from procrastinate import App, JobContext, RetryStrategy
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status
from procrastinate.manager import JobManager
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.core.queue import (
    DELETE_MEDIA_FILES,
    DELIVER_WEBHOOK,
    NAMESPACE,
    PROCESS_MEDIA,
    PUBLISH_SCHEDULED_POST,
    RUN_EXPORT,
    RUN_IMPORT,
    SEND_EMAIL,
    SEND_PASSWORD_RESET,
)
from inkwell.events.outbox import Outbox
from inkwell.jobs import pruning
from inkwell.mail.delivery import send_stored
from inkwell.mail.repository import MailRepository
from inkwell.media.processing import MediaProcessor, delete_files
from inkwell.media.retention import remove_unused_media
from inkwell.media.sweep import sweep_orphans
from inkwell.notifications.mailing import NotificationMail
from inkwell.porting.runs import expire_exports, run_export, run_import
from inkwell.posts.repository import PostRepository
from inkwell.posts.service import PostService
from inkwell.tags.repository import TagRepository
from inkwell.users.mailing import mail_password_reset
from inkwell.webhooks.delivery import DeliveryRunner

logger = logging.getLogger(__name__)

# A failing job (the database away, a deadlock) runs again after 1, 2, 4, ... seconds.
RETRY = RetryStrategy(max_attempts=10, exponential_wait=1)
# A message that could not be sent (the SMTP server away or refusing) is tried again after
# 2, 4, 8, ... seconds: twelve tries over about 2.3 hours.
MAIL_RETRY = RetryStrategy(max_attempts=12, exponential_wait=2)
# A job whose worker sent no heartbeat for this long (the worker died) runs again.
STALLED_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Resources:
    """What jobs use, handed to the worker as its additional context."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]


def _resources(context: JobContext) -> Resources:
    resources: Resources = context.additional_context["resources"]
    return resources


def post_service(session: AsyncSession, settings: Settings) -> PostService:
    return PostService(
        posts=PostRepository(session),
        tags=TagRepository(session),
        events=Outbox(session, settings),
    )


async def publish_scheduled_post(
    session: AsyncSession, settings: Settings, *, post_id: uuid.UUID, due: datetime
) -> bool:
    """Publish the post if it is still scheduled for `due`."""
    return await post_service(session, settings).publish_scheduled(post_id=post_id, due=due)


async def publish_due_posts(session: AsyncSession, settings: Settings) -> int:
    """Publish every scheduled post whose time has come and that no job published."""
    return await post_service(session, settings).publish_due()


async def _in_transaction(
    context: JobContext, work: Callable[[AsyncSession, Settings], Awaitable[int | bool]]
) -> int | bool:
    resources = _resources(context)
    async with unit_of_work(resources.sessionmaker) as session:
        return await work(session, resources.settings)


async def publish_scheduled_post_job(context: JobContext, post_id: str, due: str) -> None:
    async def publish(session: AsyncSession, settings: Settings) -> bool:
        when = datetime.fromisoformat(due)
        return await publish_scheduled_post(session, settings, post_id=uuid.UUID(post_id), due=when)

    if await _in_transaction(context, publish):
        logger.info("published scheduled post %s", post_id)


async def publish_due_posts_job(context: JobContext, timestamp: int) -> None:  # noqa: ARG001 (the run's time)
    published = await _in_transaction(context, publish_due_posts)
    if published:
        logger.warning("the sweep published %s scheduled posts no job had published", published)


async def deliver_webhook_job(context: JobContext, delivery_id: str, attempt: str) -> None:
    """Make one attempt of a webhook delivery (a failure queues the next one itself)."""
    resources = _resources(context)
    runner = DeliveryRunner(resources.sessionmaker, resources.settings)
    outcome = await runner.attempt(uuid.UUID(delivery_id), int(attempt))
    if outcome is not None and not outcome.succeeded:
        logger.info(
            "webhook delivery %s attempt %s failed: %s",
            delivery_id,
            attempt,
            outcome.error or outcome.status_code,
        )


async def send_email_job(context: JobContext, mail_id: str) -> None:
    """Send a stored message; a failure raises, and procrastinate tries again later."""
    resources = _resources(context)
    if await send_stored(resources.sessionmaker, resources.settings, uuid.UUID(mail_id)):
        logger.info("mail %s sent", mail_id)


async def send_password_reset_job(context: JobContext, email: str) -> None:
    """Mail a reset link if the address has an account (the request did not look)."""

    async def send(session: AsyncSession, settings: Settings) -> bool:
        return await mail_password_reset(session, settings, email=email)

    await _in_transaction(context, send)


async def mail_notifications(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Mail what the consumer left (more than a batch, or a consumer that failed to mail),
    and in the digest hour every recipient's daily digest; how many messages."""
    mail = NotificationMail.over(session, settings)
    sent = await mail.send_immediate(now)
    if now.hour == settings.notification_digest_hour:
        sent += await mail.send_digests(now)
    return sent


async def mail_notifications_job(context: JobContext, timestamp: int) -> None:
    async def send(session: AsyncSession, settings: Settings) -> int:
        return await mail_notifications(session, settings, datetime.fromtimestamp(timestamp, UTC))

    sent = await _in_transaction(context, send)
    if sent:
        logger.info("queued %s notification e-mails", sent)


async def process_media_job(context: JobContext, media_id: str) -> None:
    """Make an upload's clean original and variants; a bad image ends as `failed`."""
    resources = _resources(context)
    await MediaProcessor(resources.sessionmaker, resources.settings).run(uuid.UUID(media_id))


async def delete_media_files_job(context: JobContext, names: str) -> None:
    """Remove the stored files of a deleted upload."""
    await delete_files(_resources(context).settings, names.split(","))


async def run_import_job(context: JobContext, import_id: str) -> None:
    """Import an uploaded WordPress, Ghost or Inkwell file (docs/import-export.md)."""
    resources = _resources(context)
    await run_import(resources.sessionmaker, resources.settings, uuid.UUID(import_id))


async def run_export_job(context: JobContext, export_id: str) -> None:
    """Make the archive of a user's or the site's export."""
    resources = _resources(context)
    await run_export(resources.sessionmaker, resources.settings, uuid.UUID(export_id))


async def expire_exports_job(context: JobContext, timestamp: int) -> None:  # noqa: ARG001 (the run's time)
    """Delete export archives past INKWELL_EXPORT_RETENTION_HOURS."""
    resources = _resources(context)
    await expire_exports(resources.sessionmaker, resources.settings)


async def sweep_media_job(context: JobContext, timestamp: int) -> None:
    """Remove stored media files no upload accounts for (a crash's leftovers)."""
    resources = _resources(context)
    now = datetime.fromtimestamp(timestamp, UTC)
    await sweep_orphans(resources.sessionmaker, resources.settings, now)


def _cutoff(**retention: float) -> datetime:
    return datetime.now(UTC) - timedelta(**retention)


async def prune_job(context: JobContext, timestamp: int) -> None:  # noqa: ARG001 (the run's time)
    async def prune(session: AsyncSession, settings: Settings) -> int:
        outbox = _cutoff(hours=settings.outbox_retention_hours)
        sessions = _cutoff(days=settings.session_retention_days)
        views = _cutoff(days=settings.view_retention_days)
        deliveries = _cutoff(days=settings.webhook_delivery_retention_days)
        mail = _cutoff(days=settings.mail_retention_days)
        media = _cutoff(days=settings.media_retention_days)
        live = _cutoff(hours=settings.live_message_retention_hours)
        relayed = settings.kafka_bootstrap_servers is not None
        return (
            await pruning.prune_outbox(session, outbox, relayed=relayed)
            + await pruning.prune_sessions(session, sessions)
            + await pruning.prune_views(session, views)
            + await pruning.prune_webhook_deliveries(session, deliveries)
            + await MailRepository(session).prune(mail)
            + await remove_unused_media(session, settings, media)
            + await pruning.prune_live_tickets(session, datetime.now(UTC))
            + await pruning.prune_idempotency_keys(session, datetime.now(UTC))
            + await pruning.prune_live_messages(session, live)
        )

    logger.info("pruned %s rows", await _in_transaction(context, prune))


async def retry_stalled_jobs(manager: JobManager, seconds_since_heartbeat: float) -> int:
    """Queue again the jobs of workers that died mid-job (no heartbeat for that long)."""
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat))
    for job in stalled:
        logger.warning("job %s of a worker that stopped answering runs again", job.id)
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            # Its queueing lock is taken: the same periodic job's next run already waits and
            # will do this one's work, so this one ends.
            await manager.finish_job(job, status=Status.ABORTED, delete_job=False)
    return len(stalled)


async def retry_stalled_jobs_job(context: JobContext, timestamp: int) -> None:  # noqa: ARG001 (the run's time)
    await retry_stalled_jobs(context.app.job_manager, STALLED_AFTER_SECONDS)


# The periodic jobs: (task, name, cron). The sweep of scheduled posts and the retry of stalled
# jobs run every minute, pruning, the media sweep and notification mail (the digests in their
# hour) hourly; a queueing lock keeps at most one of each waiting.
PERIODIC = (
    (publish_due_posts_job, "publish_due_posts", "* * * * *"),
    (retry_stalled_jobs_job, "retry_stalled_jobs", "* * * * *"),
    (prune_job, "prune", "17 * * * *"),
    (sweep_media_job, "sweep_media", "47 * * * *"),
    (mail_notifications_job, "mail_notifications", "0 * * * *"),
    (expire_exports_job, "expire_exports", "23 * * * *"),
)


def register_tasks(app: App) -> None:
    """Give the worker's app every task, named under NAMESPACE."""
    app.task(name=f"{NAMESPACE}:{PUBLISH_SCHEDULED_POST}", pass_context=True, retry=RETRY)(
        publish_scheduled_post_job
    )
    app.task(name=f"{NAMESPACE}:{DELIVER_WEBHOOK}", pass_context=True, retry=RETRY)(
        deliver_webhook_job
    )
    app.task(name=f"{NAMESPACE}:{SEND_EMAIL}", pass_context=True, retry=MAIL_RETRY)(send_email_job)
    app.task(name=f"{NAMESPACE}:{SEND_PASSWORD_RESET}", pass_context=True, retry=RETRY)(
        send_password_reset_job
    )
    app.task(name=f"{NAMESPACE}:{PROCESS_MEDIA}", pass_context=True, retry=RETRY)(process_media_job)
    app.task(name=f"{NAMESPACE}:{DELETE_MEDIA_FILES}", pass_context=True, retry=RETRY)(
        delete_media_files_job
    )
    app.task(name=f"{NAMESPACE}:{RUN_IMPORT}", pass_context=True, retry=RETRY)(run_import_job)
    app.task(name=f"{NAMESPACE}:{RUN_EXPORT}", pass_context=True, retry=RETRY)(run_export_job)
    for function, name, cron in PERIODIC:
        task = app.task(
            name=f"{NAMESPACE}:{name}", pass_context=True, retry=RETRY, queueing_lock=name
        )(function)
        app.periodic(cron=cron, periodic_id=name)(task)
