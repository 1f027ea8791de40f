"""The import and export endpoints and their jobs: admins import in the background, users
export their own data, admins the site; archives download for their owner and expire."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.state import AppState
from inkwell.models.porting import ExportJob
from inkwell.models.post import Post
from inkwell.models.user import Role
from inkwell.porting.exceptions import ImportFileTooLarge
from inkwell.porting.files import archive_storage
from inkwell.porting.runs import expire_exports, run_export, run_import
from inkwell.porting.service import PortingService
from tests.conftest import make_settings
from tests.factories import create_post, create_user, signed_in_headers
from tests.porting.files import sample_site, write_wxr

IMPORTS = "/api/v1/admin/imports"


async def deferred(session: AsyncSession, task: str) -> list[dict[str, str]]:
    rows = await session.execute(
        text("SELECT args FROM procrastinate_jobs WHERE task_name = :task ORDER BY id"),
        {"task": f"inkwell:{task}"},
    )
    return [row.args for row in rows]


async def test_an_admin_import_runs_in_a_job_with_progress(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    admin = await create_user(session, role=Role.ADMIN)
    headers = await signed_in_headers(app_state, admin)
    content = write_wxr(tmp_path / "site.xml", sample_site()).read_bytes()
    files = {"file": ("site.xml", content, "application/xml")}

    response = await client.post(
        IMPORTS, files=files, data={"source": "wordpress"}, headers=headers
    )

    assert response.status_code == 202, response.text
    started = response.json()
    assert response.headers["location"] == f"{IMPORTS}/{started['id']}"
    assert (started["status"], started["source"]) == ("queued", "wordpress")
    assert await deferred(session, "run_import") == [{"import_id": started["id"]}]
    await run_import(app_state.sessionmaker, app_state.settings, uuid.UUID(started["id"]))
    done = (await client.get(f"{IMPORTS}/{started['id']}", headers=headers)).json()
    assert done["status"] == "done"
    assert done["progress"]["posts_created"] == 6
    assert done["finished_at"] is not None
    assert await session.scalar(select(Post.id).where(Post.slug == "hello-world")) is not None


async def test_a_broken_file_fails_its_job_with_the_reason(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await create_user(session, role=Role.ADMIN)
    headers = await signed_in_headers(app_state, admin)
    files = {"file": ("site.xml", b"<rss><channel>", "application/xml")}
    started = await client.post(IMPORTS, files=files, data={"source": "wordpress"}, headers=headers)
    import_id = started.json()["id"]

    await run_import(app_state.sessionmaker, app_state.settings, uuid.UUID(import_id))

    failed = (await client.get(f"{IMPORTS}/{import_id}", headers=headers)).json()
    assert failed["status"] == "failed"
    assert failed["errors"][0].startswith("not well-formed XML")


async def test_imports_are_for_admins_and_need_a_file(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    admin = await create_user(session, role=Role.ADMIN)
    files = {"file": ("site.xml", b"<rss/>", "application/xml")}
    form = {"source": "wordpress"}

    refused = await client.post(
        IMPORTS, files=files, data=form, headers=await signed_in_headers(app_state, user)
    )
    admin_headers = await signed_in_headers(app_state, admin)
    empty = await client.post(
        IMPORTS, files={"file": ("e.xml", b"", "application/xml")}, data=form, headers=admin_headers
    )
    unknown = await client.post(
        IMPORTS, files=files, data={"source": "blogger"}, headers=admin_headers
    )

    assert refused.status_code == 403
    assert (empty.status_code, empty.json()["code"]) == (422, "import_file_invalid")
    assert unknown.status_code == 422
    assert await deferred(session, "run_import") == []


async def test_a_file_over_the_limit_is_refused(app_state: AppState, session: AsyncSession) -> None:
    admin = await create_user(session, role=Role.ADMIN)
    settings = make_settings(import_max_bytes=1024)
    service = PortingService(jobs=None, queue=None, storage=None, settings=settings)  # type: ignore[arg-type]

    with pytest.raises(ImportFileTooLarge):
        await service.start_import(admin=admin, source="wordpress", file=io.BytesIO(b"x" * 1025))


async def test_a_user_exports_their_data_and_only_they_download_it(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ann = await create_user(session, username="ann")
    other = await create_user(session)
    admin = await create_user(session, role=Role.ADMIN)
    await create_post(session, ann, title="Ann's Post")
    headers = await signed_in_headers(app_state, ann)

    response = await client.post("/api/v1/users/me/exports", headers=headers)
    assert response.status_code == 202, response.text
    export_id = response.json()["id"]
    location = f"/api/v1/exports/{export_id}"
    assert response.headers["location"] == location
    assert (await client.get(f"{location}/archive", headers=headers)).status_code == 409
    await run_export(app_state.sessionmaker, app_state.settings, uuid.UUID(export_id))

    ready = (await client.get(location, headers=headers)).json()
    assert ready["status"] == "ready"
    assert ready["kind"] == "user"
    download = await client.get(f"{location}/archive", headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        document = json.loads(archive.read("export.json"))
    assert [p["title"] for p in document["posts"]] == ["Ann's Post"]
    assert len(download.content) == ready["size"]
    for stranger in (other, admin):
        stranger_headers = await signed_in_headers(app_state, stranger)
        assert (
            await client.get(f"{location}/archive", headers=stranger_headers)
        ).status_code == 404


async def test_site_exports_are_for_admins(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    admin = await create_user(session, role=Role.ADMIN)

    refused = await client.post(
        "/api/v1/admin/exports", headers=await signed_in_headers(app_state, user)
    )
    accepted = await client.post(
        "/api/v1/admin/exports", headers=await signed_in_headers(app_state, admin)
    )

    assert refused.status_code == 403
    assert accepted.status_code == 202
    assert accepted.json()["kind"] == "site"
    assert await deferred(session, "run_export") == [{"export_id": accepted.json()["id"]}]


async def test_expired_archives_are_deleted(app_state: AppState, session: AsyncSession) -> None:
    user = await create_user(session)
    job = ExportJob(kind="user", user_id=user.id)
    session.add(job)
    await session.commit()
    await run_export(app_state.sessionmaker, app_state.settings, job.id)
    await session.refresh(job)
    assert job.file_name is not None
    stored = archive_storage(app_state.settings).local_path(job.file_name)
    assert stored is not None
    assert stored.exists()

    assert await expire_exports(app_state.sessionmaker, app_state.settings) == 0
    job.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()
    assert await expire_exports(app_state.sessionmaker, app_state.settings) == 1

    assert not stored.exists()
    assert await session.get(ExportJob, job.id, populate_existing=True) is None
