"""The domain-error hierarchy and the one place that renders errors as RFC 9457 problems."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from inkwell.core.request_context import current_request_id
from inkwell.core.text import UnstorableText

log = logging.getLogger("inkwell.errors")
PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """Base of every error a service may raise; the handler renders it as a problem."""

    status_code: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    # A few refusals must still record something (a reused refresh token revokes its family):
    # the request's transaction is committed instead of rolled back when this is set.
    keeps_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.errors = list(errors or [])
        self.headers = headers or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    status_code, code, title = 404, "not_found", "Not found"


class Unauthorized(DomainError):
    status_code, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="inkwell"')


class Forbidden(DomainError):
    status_code, code, title = 403, "forbidden", "Forbidden"


class Conflict(DomainError):
    status_code, code, title = 409, "conflict", "Conflict"


class InvalidInput(DomainError):
    """A rule on the input that only the service can check (it answers like validation)."""

    status_code, code, title = 422, "validation_error", "Invalid input"


class PreconditionFailed(DomainError):
    status_code, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(DomainError):
    status_code, code, title = 413, "payload_too_large", "Request body too large"


class RateLimited(DomainError):
    status_code, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(DomainError):
    status_code, code, title = 503, "service_unavailable", "Service temporarily unavailable"

    def __init__(self, detail: str | None = None, retry_after: int = 2) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class QueryTimeout(ServiceUnavailable):
    code, title = "query_timeout", "The request took too long"

    def __init__(self) -> None:
        super().__init__("The database gave up on a query that ran too long; try again.")


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Everything an error response says, before a renderer gives it a format."""

    status: int
    code: str
    title: str
    detail: str | None = None
    errors: Sequence[dict[str, Any]] = ()
    headers: dict[str, str] = field(default_factory=dict)


# A renderer turns an error into a response in the format of one part of the API.
ErrorRenderer = Callable[[Request, ErrorInfo], Response]


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build an `application/problem+json` response with the request id."""
    body: dict[str, Any] = {
        "type": f"https://inkwell.dev/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.url.path,
        "code": code,
        "request_id": current_request_id(),
    }
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def render_problem(request: Request, info: ErrorInfo) -> Response:
    """The default renderer: RFC 9457 problem documents."""
    return problem(
        request,
        status=info.status,
        code=info.code,
        title=info.title,
        detail=info.detail,
        errors=info.errors,
        headers=info.headers,
    )


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def render_error(request: Request, info: ErrorInfo) -> Response:
    """Render an error in the format of the API part the request was for.

    The renderer of the longest path prefix that holds the request wins (`/api/v1` over
    `/api`); the problem renderer answers everything else.
    """
    renderers: Mapping[str, ErrorRenderer] = getattr(request.app.state, "error_renderers", {})
    matches = [prefix for prefix in renderers if _under(request.url.path, prefix)]
    renderer = renderers[max(matches, key=len)] if matches else render_problem
    return renderer(request, info)


def domain_error_info(exc: DomainError) -> ErrorInfo:
    return ErrorInfo(
        status=exc.status_code,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    return render_error(request, domain_error_info(cast(DomainError, exc)))


def _field_error(error: Any) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, UnstorableText):  # found by the body-wide check: name the field
        loc = [*loc, *cause.field.split(".")]
    field = (
        ".".join(loc[1:])
        if loc and loc[0] in {"body", "query", "path", "header"}
        else ".".join(loc)
    )
    return {
        "field": field,
        "location": loc[0] if loc else "",
        "message": error.get("msg", ""),
        "type": error.get("type", ""),
    }


async def _validation_error(request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    info = ErrorInfo(
        status=422,
        code="validation_error",
        title="Invalid input",
        detail="The request has invalid fields.",
        errors=[_field_error(error) for error in exc.errors()],
    )
    return render_error(request, info)


_UNREADABLE_BODY = ErrorInfo(
    status=422,
    code="validation_error",
    title="Invalid input",
    detail="The request has invalid fields.",
    errors=[
        {
            "field": "",
            "location": "body",
            "type": "body_unreadable",
            "message": "The body is not readable (not UTF-8 JSON or form data).",
        }
    ],
)


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc.__cause__, DomainError):  # raised while FastAPI read the body
        return await _domain_error(request, exc.__cause__)
    exc = cast(StarletteHTTPException, exc)
    if exc.status_code == 400 and exc.__cause__ is not None:  # a body FastAPI could not read
        return render_error(request, _UNREADABLE_BODY)
    code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else title
    info = ErrorInfo(
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        headers=dict(exc.headers or {}),
    )
    return render_error(request, info)


# SQLSTATEs that mean "the database cannot serve right now", not "the request was wrong":
# connection exceptions (class 08), shutdown/startup (57P01-57P03), too many connections.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_QUERY_CANCELED = "57014"  # statement_timeout (or an operator) cancelled the query
_LOST_CONNECTION_ERRORS = ("ConnectionDoesNotExistError", "InterfaceError")


def _sqlstate(exc: DBAPIError) -> str:
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None)
        if state:
            return str(state)
    return ""


def _lost_connection(exc: DBAPIError) -> bool:
    """SQLAlchemy's errors wrap the driver's (its `__cause__`); a DriverSelect's are the
    driver's own."""
    causes = (exc.orig, getattr(exc.orig, "__cause__", None))
    return exc.connection_invalidated or any(
        type(cause).__name__ in _LOST_CONNECTION_ERRORS for cause in causes
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PoolTimeoutError):
        log.warning("database pool exhausted")
        return await _domain_error(request, ServiceUnavailable("The service is busy; try again."))
    if isinstance(exc, DBAPIError) and _sqlstate(exc) == _QUERY_CANCELED:
        log.warning("statement timeout", extra={"path": request.url.path})
        return await _domain_error(request, QueryTimeout())
    state = _sqlstate(exc) if isinstance(exc, DBAPIError) else ""
    unavailable = (
        isinstance(exc, OSError)
        or state.startswith(_UNAVAILABLE_STATES)
        or (isinstance(exc, DBAPIError) and _lost_connection(exc))
    )
    if unavailable:
        log.warning("database unavailable: %s", state or type(exc).__name__)
        return await _domain_error(
            request, ServiceUnavailable("The database is unavailable; try again shortly.")
        )
    return await _unexpected_error(request, exc)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc)
    info = ErrorInfo(
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="Something went wrong on our side; the request id identifies it in our logs.",
    )
    return render_error(request, info)


def install_error_handlers(
    app: FastAPI, renderers: Mapping[str, ErrorRenderer] | None = None
) -> None:
    """Route every error through one renderer: `renderers` maps path prefixes to formats
    (problem documents for every path no prefix claims)."""
    app.state.error_renderers = dict(renderers or {})
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OSError, _database_error)
