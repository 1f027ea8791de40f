"""HTTP endpoints of media: uploads under /api/v1/media, the uploader's list under
/api/v1/users/me/media, and the files themselves under /media/{name}."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile, status
from fastapi.responses import FileResponse, RedirectResponse

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize, StateDep
from inkwell.core.openapi import errors
from inkwell.idempotency.dependencies import KeyHeader, claim_upload_key
from inkwell.media.dependencies import MediaServiceDep, StorageDep
from inkwell.media.schemas import MediaList, MediaView
from inkwell.media.service import locate

router = APIRouter(prefix="/media", tags=["media"], route_class=SessionRoute)
my_media_router = APIRouter(prefix="/users", tags=["media"], route_class=SessionRoute)
files_router = APIRouter(tags=["media"])

# A file's name never names other bytes (keys are random, processed files are written once),
# so caches may keep it for a year without asking again.
IMMUTABLE = "public, max-age=31536000, immutable"
UPLOAD = File(description="The image: JPEG, PNG, WebP, GIF, AVIF or HEIC/HEIF; no SVG.")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 413, 415, 422),
    openapi_extra=needs(Scope.MEDIA_WRITE),
)
async def upload(
    *,
    file: Annotated[UploadFile, UPLOAD],
    user: CurrentUser,
    service: MediaServiceDep,
    state: StateDep,
    request: Request,
    response: Response,
    idempotency_key: KeyHeader = None,
) -> MediaView:
    """Upload an image. It is `processing` until a job has made its clean original (upright,
    sRGB, no EXIF, XMP or GPS) and its WebP variants; then `ready`, or `failed` with a reason.
    With an `Idempotency-Key`, a retry of the same file answers the first upload's answer."""
    await claim_upload_key(request, user.id, idempotency_key, file)
    media = await service.upload(user=user, file=file.file)
    response.headers["Location"] = f"/api/v1/media/{media.id}"
    return MediaView.of(media, state.settings)


@router.get("/{media_id}", responses=errors(401, 404, 422), openapi_extra=needs(Scope.MEDIA_READ))
async def get_media(
    media_id: uuid.UUID, user: CurrentUser, service: MediaServiceDep, state: StateDep
) -> MediaView:
    """One of your uploads (any upload, for an admin)."""
    return MediaView.of(await service.get(media_id=media_id, user=user), state.settings)


@router.delete(
    "/{media_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.MEDIA_WRITE),
)
async def delete_media(media_id: uuid.UUID, user: CurrentUser, service: MediaServiceDep) -> None:
    """Delete an upload and its files (its uploader or an admin)."""
    await service.delete(media_id=media_id, user=user)


@my_media_router.get("/me/media", responses=errors(401, 422), openapi_extra=needs(Scope.MEDIA_READ))
async def my_media(
    user: CurrentUser,
    service: MediaServiceDep,
    state: StateDep,
    page: Page = 1,
    page_size: PageSize = 20,
) -> MediaList:
    """Your uploads, newest first."""
    found = await service.mine(user=user, page=page, page_size=page_size)
    return MediaList.from_page(found, state.settings)


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **errors(404),
    200: {"content": {"image/*": {}}},
}


@files_router.get("/media/{name}", response_class=FileResponse, responses=FILE_RESPONSES)
async def media_file(name: str, request: Request, storage: StorageDep) -> Response:
    """A stored image (an original or a variant), with `Range`, `ETag` and a year of caching;
    with S3 storage, a redirect to a short-lived presigned URL."""
    found = await locate(storage, name)
    if found.path is None:
        headers = {"Cache-Control": "private, max-age=60"}
        return RedirectResponse(
            str(found.redirect_url), status.HTTP_307_TEMPORARY_REDIRECT, headers
        )
    etag = f'"{name}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return FileResponse(found.path, media_type=found.content_type, headers=headers)


files_router.add_api_route(
    "/media/{name}",
    media_file,
    methods=["HEAD"],
    response_class=FileResponse,
    responses=FILE_RESPONSES,
    operation_id="media_file_head",
)
