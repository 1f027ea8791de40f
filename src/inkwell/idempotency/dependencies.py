"""`Idempotency-Key` on a creating write: the request's hash, the claim before the endpoint
runs, its answer stored before the request's transaction commits, and the replay."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Annotated, BinaryIO

from fastapi import Depends, Header, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from inkwell.auth.dependencies import CurrentUser
from inkwell.core.db import before_commit, request_session
from inkwell.core.state import AppState
from inkwell.idempotency.service import Answer, IdempotencyService, Replay

REPLAYED_HEADER = "Idempotent-Replayed"
# The answer's headers that describe it; the rest (request id, timing, cookies) are per answer.
_KEPT_HEADERS = frozenset({"content-type", "content-location", "location", "etag", "last-modified"})
_CHUNK = 1 << 20

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A key of your choosing (a UUID, say), unique per request you mean once: "
        "a retry with the same key and body answers the first answer and writes nothing "
        "again, for 24 hours; the same key with another body answers 422.",
    ),
]


def _digest(*parts: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


def request_hash(method: str, target: str, body: bytes) -> bytes:
    """What a retry repeats: the method, path and query, and the body (JSON compared by value,
    so a client that re-encodes it with other spacing or key order still matches)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return _digest(method.encode(), target.encode(), canonical)


def _file_sha256(file: BinaryIO) -> bytes:
    """The file's SHA-256, read in chunks from the start, left at its start again."""
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.digest()


async def upload_hash(method: str, target: str, upload: UploadFile) -> bytes:
    """What a retried upload repeats: the method, path and query, the file's name and type and
    its bytes (hashed from the spooled copy in a thread, never held whole in memory)."""
    content = await run_in_threadpool(_file_sha256, upload.file)
    name, kind = (upload.filename or "").encode(), (upload.content_type or "").encode()
    return _digest(method.encode(), target.encode(), b"upload", name, kind, content)


def _target(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def claim_key(request: Request, user_id: uuid.UUID, key: str, digest: bytes) -> None:
    """Claim `key` for this request in its own transaction and store its answer before that
    transaction commits; a retry raises Replay, another request with the key 422."""
    state: AppState = request.app.state.inkwell
    retention = timedelta(hours=state.settings.idempotency_key_retention_hours)
    service = IdempotencyService(await request_session(request), retention)
    await service.begin(user_id, key, digest)

    async def store(response: Response) -> None:
        body = getattr(response, "body", None)
        if isinstance(body, bytes) and response.status_code < 400:
            headers = [(n, v) for n, v in response.headers.items() if n in _KEPT_HEADERS]
            await service.finish(user_id, key, Answer(response.status_code, headers, body))

    before_commit(request, store)


async def idempotency_key(request: Request, user: CurrentUser, key: KeyHeader = None) -> None:
    if key is None:
        return
    digest = request_hash(request.method, _target(request), await request.body())
    await claim_key(request, user.id, key, digest)


async def claim_upload_key(
    request: Request, user_id: uuid.UUID, key: str | None, upload: UploadFile
) -> None:
    """`Idempotency-Key` on an upload: the endpoint calls it with the parsed file (the body is
    streamed to a spooled file, so it is hashed from there, not read again whole)."""
    if key is not None:
        await claim_key(
            request, user_id, key, await upload_hash(request.method, _target(request), upload)
        )


Idempotent = Depends(idempotency_key)


async def replay_answer(_request: Request, exc: Exception) -> Response:
    """The stored answer of the key's first request, marked as a replay."""
    if not isinstance(exc, Replay):
        raise TypeError("replay_answer answers Replay only")
    answer = exc.answer
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response
