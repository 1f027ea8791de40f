"""The `inkwell` command: serve, migrate and administer."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn
from pydantic import ValidationError

from inkwell.core import migrations
from inkwell.core.config import Settings, get_settings
from inkwell.core.db import create_engine, create_sessionmaker, unit_of_work
from inkwell.core.embedded import start_embedded_postgres
from inkwell.core.logging import configure_logging
from inkwell.metrics.multiproc import prepare_multiprocess_dir

if TYPE_CHECKING:
    from inkwell.porting.batch import ImportReport

app = typer.Typer(help="Inkwell, a blogging-platform backend.", no_args_is_help=True)
migrate_app = typer.Typer(help="Apply or inspect database migrations.", no_args_is_help=True)
app.add_typer(migrate_app, name="migrate")
import_app = typer.Typer(
    help="Import posts, authors and comments from a file.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
export_app = typer.Typer(
    help="Export the site or a user's data as an archive.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
ImportFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def _settings_with_database() -> Settings:
    """The settings, starting the embedded PostgreSQL when no database URL is configured."""
    settings = get_settings()
    configure_logging(settings)
    if settings.database_url:
        return settings
    if settings.is_production:
        raise typer.BadParameter("INKWELL_DATABASE_URL is required in production")
    os.environ["INKWELL_DATABASE_URL"] = start_embedded_postgres(settings.data_dir / "postgres")
    get_settings.cache_clear()
    return get_settings()


def _database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise typer.BadParameter("no database URL")
    return settings.database_url


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (INKWELL_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (INKWELL_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (INKWELL_WORKERS)")] = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving")] = True,
) -> None:
    """Serve the API (with an embedded PostgreSQL when INKWELL_DATABASE_URL is unset)."""
    settings = _settings_with_database()
    if migrate:
        migrations.upgrade(_database_url(settings))
    prepare_multiprocess_dir(workers or settings.workers, settings.data_dir)
    uvicorn.run(
        "inkwell.main:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        timeout_worker_healthcheck=settings.worker_timeout_seconds,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        access_log=False,
        log_config=None,
        proxy_headers=settings.trust_forwarded_for,
        server_header=False,
    )


@app.command()
def relay() -> None:
    """Relay outbox events to Kafka (one active relay per database; others stand by)."""
    settings = _settings_with_database()
    if not settings.kafka_bootstrap_servers:
        raise typer.BadParameter("INKWELL_KAFKA_BOOTSTRAP_SERVERS is not set: nothing to relay to")
    asyncio.run(_relay(settings))


async def _relay(settings: Settings) -> None:
    from inkwell.events.relay import relay_forever  # noqa: PLC0415

    engine = create_engine(settings)
    try:
        await relay_forever(settings, engine)
    finally:
        await engine.dispose()


@app.command()
def worker() -> None:
    """Run background jobs (scheduled publishing, pruning) until SIGINT or SIGTERM."""
    settings = _settings_with_database()
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    from inkwell.jobs.worker import run_worker  # noqa: PLC0415

    engine = create_engine(settings)
    try:
        await run_worker(settings, create_sessionmaker(engine), install_signal_handlers=True)
    finally:
        await engine.dispose()


@migrate_app.command("upgrade")
def migrate_upgrade(revision: str = "head") -> None:
    """Upgrade the database to a revision (default: the newest)."""
    migrations.upgrade(_database_url(_settings_with_database()), revision)


@migrate_app.command("downgrade")
def migrate_downgrade(revision: str) -> None:
    """Downgrade the database to a revision (`base` removes everything)."""
    migrations.downgrade(_database_url(_settings_with_database()), revision)


@migrate_app.command("current")
def migrate_current() -> None:
    """Print the database's revision and the newest one."""
    settings = _settings_with_database()

    async def read() -> str | None:
        engine = create_engine(settings)
        async with engine.connect() as connection:
            revision = await migrations.current_revision(connection)
        await engine.dispose()
        return revision

    typer.echo(f"current: {asyncio.run(read())}\nhead:    {migrations.head_revision()}")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True)],
    username: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an admin account, or promote the account with this e-mail to admin."""
    settings = _settings_with_database()
    user = asyncio.run(_create_admin(settings, email=email, username=username, password=password))
    typer.echo(f"{user} is an admin")


async def _create_admin(settings: Settings, *, email: str, username: str, password: str) -> str:
    from inkwell.core.errors import DomainError  # noqa: PLC0415
    from inkwell.users.admin import make_admin  # noqa: PLC0415

    engine = create_engine(settings)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            return await make_admin(
                session, settings, email=email, username=username, password=password
            )
    except DomainError as error:
        raise typer.BadParameter(error.detail) from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise typer.BadParameter(problems) from error
    finally:
        await engine.dispose()


@app.command("seed-demo")
def seed_demo() -> None:
    """Create demo authors and about fifty posts with tags (not in production)."""
    settings = _settings_with_database()
    if settings.is_production:
        raise typer.BadParameter("seed-demo is for development databases only")
    migrations.upgrade(_database_url(settings))
    created = asyncio.run(_seed_demo(settings))
    typer.echo(f"created {created} demo posts" if created else "demo data already present")


async def _seed_demo(settings: Settings) -> int:
    from inkwell.core.security import PasswordHasher  # noqa: PLC0415
    from inkwell.posts.seed import DEMO_PASSWORD, seed_demo  # noqa: PLC0415

    engine = create_engine(settings)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            created = await seed_demo(session, PasswordHasher(1), settings)
    finally:
        await engine.dispose()
    if created:
        typer.echo(f"sign in as ada, grace, linus, rosalind or alan with {DEMO_PASSWORD!r}")
    return created


@import_app.command("wordpress")
def import_wordpress(file: ImportFile) -> None:
    """Import a WordPress export (WXR): posts, pages, authors, categories, tags, comments."""
    _import("wordpress", file)


@import_app.command("ghost")
def import_ghost(file: ImportFile) -> None:
    """Import a Ghost JSON export: posts, pages, authors and tags."""
    _import("ghost", file)


@import_app.command("inkwell")
def import_inkwell(archive: ImportFile) -> None:
    """Import an Inkwell site export (`inkwell export site`) into this site."""
    _import("inkwell", archive)


def _import(kind: str, file: Path) -> None:
    settings = _settings_with_database()
    report = asyncio.run(_run_import(settings, kind, file))
    for error in report.errors:
        typer.echo(f"skipped: {error}", err=True)
    typer.echo(f"done: {_counts(report)}")


def _counts(report: ImportReport) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in report.counts())


async def _run_import(settings: Settings, kind: str, file: Path) -> ImportReport:
    from inkwell.porting.exceptions import ImportFileInvalid  # noqa: PLC0415
    from inkwell.porting.importer import import_file  # noqa: PLC0415

    async def progress(report: ImportReport) -> None:
        typer.echo(_counts(report))

    engine = create_engine(settings)
    try:
        return await import_file(
            create_sessionmaker(engine),
            kind=kind,
            path=file,
            max_depth=settings.comment_max_depth,
            progress=progress,
        )
    except ImportFileInvalid as error:
        raise typer.BadParameter(error.detail) from error
    finally:
        await engine.dispose()


@export_app.command("site")
def export_site(out: Path) -> None:
    """Write the whole site (export.json and a Markdown file per post) to a zip archive."""
    asyncio.run(_export(_settings_with_database(), out, None))
    typer.echo(f"wrote {out}")


@export_app.command("user")
def export_user(username: str, out: Path) -> None:
    """Write one user's own data (GDPR) to a zip archive."""
    asyncio.run(_export(_settings_with_database(), out, username))
    typer.echo(f"wrote {out}")


async def _export(settings: Settings, out: Path, username: str | None) -> None:
    from inkwell.porting.exporter import export_to  # noqa: PLC0415

    engine = create_engine(settings)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            if not await export_to(session, out, username=username):
                raise typer.BadParameter(f"no user {username!r}")
    finally:
        await engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    app()
