"""`Idempotency-Key` on a creating write: the request's hash, the claim before the endpoint
runs, its answer stored before the request's transaction commits, and the replay."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from inkwell.auth.dependencies import CurrentUser
from inkwell.core.db import SessionDep, before_commit
from inkwell.core.dependencies import StateDep
from inkwell.idempotency.service import Answer, IdempotencyService, Replay

REPLAYED_HEADER = "Idempotent-Replayed"
# The answer's headers that describe it; the rest (request id, timing, cookies) are per answer.
_KEPT_HEADERS = frozenset({"content-type", "content-location", "location", "etag", "last-modified"})

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


def request_hash(method: str, target: str, body: bytes) -> bytes:
    """What a retry repeats: the method, path and query, and the body (JSON compared by value,
    so a client that re-encodes it with other spacing or key order still matches)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), target.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


async def idempotency_key(
    request: Request, user: CurrentUser, session: SessionDep, state: StateDep, key: KeyHeader = None
) -> None:
    if key is None:
        return
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    digest = request_hash(request.method, target, await request.body())
    retention = timedelta(hours=state.settings.idempotency_key_retention_hours)
    service = IdempotencyService(session, retention)
    await service.begin(user.id, key, digest)

    async def store(response: Response) -> None:
        body = getattr(response, "body", None)
        if isinstance(body, bytes) and response.status_code < 400:
            headers = [(n, v) for n, v in response.headers.items() if n in _KEPT_HEADERS]
            await service.finish(user.id, key, Answer(response.status_code, headers, body))

    before_commit(request, store)


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
