"""HTTP endpoints of imports (admins) and exports (a user's own data; the site for admins)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.responses import FileResponse, RedirectResponse

from inkwell.auth.dependencies import AdminUser, CurrentUser
from inkwell.auth.scopes import SIGN_IN_ONLY, Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.openapi import errors
from inkwell.porting.dependencies import PortingServiceDep
from inkwell.porting.schemas import ExportView, ImportSource, ImportView

router = APIRouter(tags=["import and export"], route_class=SessionRoute)
ZIP = "application/zip"


@router.post(
    "/admin/imports",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(400, 401, 403, 413, 422),
    openapi_extra=needs(Scope.ADMIN),
)
async def start_import(
    file: Annotated[
        UploadFile, File(description="A WXR file, a Ghost JSON export or an Inkwell archive.")
    ],
    source: Annotated[ImportSource, Form()],
    admin: AdminUser,
    service: PortingServiceDep,
    response: Response,
) -> ImportView:
    """Import a WordPress, Ghost or Inkwell export in the background; follow it at the URL
    in `Location`."""
    job = await service.start_import(admin=admin, source=source, file=file.file)
    response.headers["Location"] = f"/api/v1/admin/imports/{job.id}"
    return ImportView.model_validate(job)


@router.get(
    "/admin/imports/{import_id}",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.ADMIN),
)
async def get_import(
    import_id: uuid.UUID, admin: AdminUser, service: PortingServiceDep
) -> ImportView:
    """An import's status, progress and errors."""
    return ImportView.model_validate(await service.get_import(admin=admin, import_id=import_id))


# A whole account's data leaves only at its signed-in owner's request, never an API key's.
@router.post(
    "/users/me/exports",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401),
    openapi_extra=SIGN_IN_ONLY,
)
async def export_my_data(
    user: CurrentUser, service: PortingServiceDep, response: Response
) -> ExportView:
    """Export your own data (profile, posts with versions, comments, likes, bookmarks,
    follows) as a zip archive, made in the background."""
    return _accepted(await service.request_export(user=user, kind="user"), response)


@router.post(
    "/admin/exports",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401, 403),
    openapi_extra=needs(Scope.ADMIN),
)
async def export_site(
    admin: AdminUser, service: PortingServiceDep, response: Response
) -> ExportView:
    """Export the whole site as a zip archive (it imports back into an empty Inkwell)."""
    return _accepted(await service.request_export(user=admin, kind="site"), response)


def _accepted(job: Any, response: Response) -> ExportView:
    response.headers["Location"] = f"/api/v1/exports/{job.id}"
    return ExportView.model_validate(job)


@router.get("/exports/{export_id}", responses=errors(401, 404, 422), openapi_extra=SIGN_IN_ONLY)
async def get_export(
    export_id: uuid.UUID, user: CurrentUser, service: PortingServiceDep
) -> ExportView:
    """An export you asked for (any site export, for an admin)."""
    return ExportView.model_validate(await service.get_export(user=user, export_id=export_id))


@router.get(
    "/exports/{export_id}/archive",
    response_class=FileResponse,
    responses={
        200: {"content": {ZIP: {}}, "description": "The archive."},
        307: {"description": "The archive's address in the object store."},
        **errors(401, 404, 409, 422),
    },
    openapi_extra=SIGN_IN_ONLY,
)
async def download_export(
    export_id: uuid.UUID, user: CurrentUser, service: PortingServiceDep
) -> Response:
    """Download a ready archive (409 while it is being made)."""
    archive = await service.archive(user=user, export_id=export_id)
    if archive.path is None:
        return RedirectResponse(archive.url or "", status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    name = f"inkwell-{archive.job.kind}-export-{archive.job.created_at:%Y%m%d}.zip"
    return FileResponse(
        archive.path, media_type=ZIP, filename=name, headers={"Cache-Control": "private, no-store"}
    )
