"""create_app(): settings, lifespan, middleware, error handlers and routers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from inkwell import __version__
from inkwell.apikeys.router import router as api_keys_router
from inkwell.auth.router import router as auth_router
from inkwell.auth.scopes import SCOPE_DESCRIPTIONS
from inkwell.blocks.router import router as blocks_router
from inkwell.comments.router import posts_router as post_comments_router
from inkwell.comments.router import router as comments_router
from inkwell.core import hot_reads
from inkwell.core.config import Settings, get_settings
from inkwell.core.db import SessionRoute
from inkwell.core.docs_ui import install_docs
from inkwell.core.errors import install_error_handlers, render_problem
from inkwell.core.logging import configure_logging
from inkwell.core.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    TrustedHostMiddleware,
    UnstorableUrlMiddleware,
)
from inkwell.core.openapi import PROBLEM_CONTENT, finish_openapi
from inkwell.core.replicas import READ_AFTER_HEADER
from inkwell.core.routing import (
    RouteMethods,
    SlashRedirect,
    StaticPathMethodsMiddleware,
    method_not_allowed,
)
from inkwell.core.state import AppState
from inkwell.core.tracing import Tracing, start_tracing
from inkwell.engagement.router import router as engagement_router
from inkwell.engagement.router import users_router as engagement_users_router
from inkwell.events.relay import relay_in_background
from inkwell.events.router import router as events_router
from inkwell.feeds.router import router as feeds_router
from inkwell.follows.router import router as follows_router
from inkwell.health.router import router as health_router
from inkwell.idempotency.dependencies import replay_answer
from inkwell.idempotency.service import Replay
from inkwell.jobs.worker import InProcessWorker
from inkwell.live.router import router as live_router
from inkwell.live.runtime import LiveRuntime
from inkwell.media.router import files_router as media_files_router
from inkwell.media.router import my_media_router
from inkwell.media.router import router as media_router
from inkwell.metrics.instruments import LIVE_TRANSPORTS, count_live_connections
from inkwell.metrics.middleware import MetricsMiddleware
from inkwell.metrics.pool import sampling
from inkwell.metrics.router import router as metrics_router
from inkwell.notifications.router import router as notifications_router
from inkwell.notifications.router import settings_router as notification_settings_router
from inkwell.operations.router import router as outbox_admin_router
from inkwell.porting.router import router as porting_router
from inkwell.posts.router import me_router as my_posts_router
from inkwell.posts.router import preview_router as post_preview_router
from inkwell.posts.router import review_router as post_review_router
from inkwell.posts.router import router as posts_router
from inkwell.realworld.router import (
    ERROR_CONTENT,
    ERROR_RENDERERS,
    OPTIONAL_SCHEMES,
    realworld_router,
)
from inkwell.series.router import router as series_router
from inkwell.syndication.router import discovery_router
from inkwell.syndication.router import router as syndication_router
from inkwell.tags.router import router as tags_router
from inkwell.users.router import admin_router, register_router
from inkwell.users.router import router as users_router
from inkwell.webhooks.router import router as webhooks_router

API_V1 = "/api/v1"


YOUNG_GENERATION_THRESHOLD = 10_000
# Rules every operation follows that its schema does not spell out.
API_DESCRIPTION = (
    "Text: no string, in a body, a path or a query, may hold a NUL character or an unpaired "
    "UTF-16 surrogate (PostgreSQL cannot store them); such input answers 422 naming the field."
)


def settle_garbage_collector() -> None:
    """Keep what start-up loaded out of the collector's way.

    The modules, models and routes are hundreds of thousands of objects that live as long as
    the process; frozen, the collections that requests set off no longer walk them. A read
    allocates a few thousand short-lived objects, so the youngest generation is collected every
    10,000 allocations instead of 700 (GET /posts/{slug} under wrk, 16 connections, five
    alternating 6 s runs each: median 1,688 against 1,518 req/s).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


# Routes are tried in order, each path pattern in turn, so the most requested come first: post
# reads, their comments, the feed and tags. /users/me/posts and /users/me/bookmarks come before
# /users/{username}..., so the more specific paths win. No two routers' paths overlap otherwise.
OPENAPI_URL = "/openapi.json"
MULTIPART_ALLOWANCE = 64 * 1024
API_V1_ROUTERS = (
    posts_router,
    post_comments_router,
    feeds_router,
    tags_router,
    engagement_router,
    comments_router,
    register_router,
    auth_router,
    my_posts_router,
    my_media_router,
    engagement_users_router,
    api_keys_router,
    users_router,
    follows_router,
    blocks_router,
    notifications_router,
    notification_settings_router,
    admin_router,
    webhooks_router,
    outbox_admin_router,
    media_router,
    live_router,
    post_preview_router,
    porting_router,
    series_router,
    post_review_router,
)


def _in_process_worker(state: AppState) -> InProcessWorker | None:
    """The job worker inside the server, when the settings ask for one (development)."""
    if not state.settings.runs_worker_in_process:
        return None
    return InProcessWorker(state.settings, state.sessionmaker)


def _prefixed_templates() -> dict[int, str]:
    """The whole path of each route included under /api/v1 (by `id()`), for the metrics."""
    return {
        id(route): API_V1 + getattr(route, "path", "")
        for router in API_V1_ROUTERS
        for route in router.routes
    }


def _live_runtime(settings: Settings) -> LiveRuntime:
    """With metrics on, the live connections gauge follows the hub (both transports shown
    from the start)."""
    live = LiveRuntime(settings)
    if settings.metrics_enabled:
        live.hub.on_count = count_live_connections
        for transport in LIVE_TRANSPORTS:
            count_live_connections(transport, 0)
    return live


def _pool_sampling(settings: Settings, state: AppState) -> AbstractAsyncContextManager[None]:
    return sampling(state.engine) if settings.metrics_enabled else nullcontext()


def create_app(settings: Settings | None = None, *, state: AppState | None = None) -> FastAPI:
    """Build the ASGI app; `state` lets tests hand in an engine of their own."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = getattr(app.state, "inkwell", None) is None
        if owned:
            app.state.inkwell = AppState.build(settings)
            settle_garbage_collector()
            app.state.inkwell.drain.before_stop(app.state.live.close_connections)
            app.state.inkwell.drain.install()
        worker = _in_process_worker(app.state.inkwell) if owned else None
        await app.state.live.start(app.state.inkwell)
        async with (
            tracing.running(),
            relay_in_background(settings, app.state.inkwell.engine),
            _pool_sampling(settings, app.state.inkwell),
        ):
            yield
        await app.state.live.stop()
        if worker is not None:
            await worker.stop()
        if owned:
            await app.state.inkwell.close()

    docs = settings.docs_enabled
    tracing = start_tracing()
    app = FastAPI(
        # FastAPI's own OpenTelemetry hooks look for a configured provider on every request:
        # they stay off unless an OTLP endpoint is set (core/tracing.py, docs/benchmarks.md).
        telemetry=tracing.fastapi,
        title="Inkwell",
        version=__version__,
        summary="A multi-author blogging platform API",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # core/docs_ui.py serves the pages with their assets
        redoc_url=None,
        openapi_url=OPENAPI_URL if docs else None,
        debug=settings.debug and not settings.is_production,
    )
    app.router.route_class = SessionRoute  # routes added to the app itself, like the routers'
    app.router.redirect_slashes = False  # SlashRedirect does it without the Host header
    app.router.default = SlashRedirect(app.router)
    if state is not None:
        app.state.inkwell = state
    app.state.live = _live_runtime(settings)
    _install_error_handlers(app)
    app.state.route_methods = RouteMethods(app)
    app.add_middleware(StaticPathMethodsMiddleware, methods=app.state.route_methods)
    app.add_middleware(UnstorableUrlMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # An upload's form adds its field headers and boundaries to the file's bytes.
        larger={
            f"{API_V1}/media": settings.media_max_bytes + MULTIPART_ALLOWANCE,
            f"{API_V1}/admin/imports": settings.import_max_bytes + MULTIPART_ALLOWANCE,
        },
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "X-Request-ID",
            READ_AFTER_HEADER,
        ],
        expose_headers=[
            "ETag",
            "Idempotent-Replayed",
            "Live-Seq",
            "Location",
            "Retry-After",
            "X-Request-ID",
            READ_AFTER_HEADER,
        ],
    )
    if "*" not in settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, hosts=settings.allowed_hosts)
    app.add_middleware(RequestContextMiddleware, access_log_enabled=settings.access_log)
    if settings.metrics_enabled:  # outermost: it sees the status every client got
        app.add_middleware(MetricsMiddleware, templates=_prefixed_templates())
    _include_routers(app, settings, tracing)
    _describe_openapi(app)
    return app


def _include_routers(app: FastAPI, settings: Settings, tracing: Tracing) -> None:
    # RealWorld first: its prefix check passes /api/v1 paths by at once.
    app.include_router(realworld_router(excluded=(API_V1,)))
    for router in API_V1_ROUTERS:
        app.include_router(router, prefix=API_V1)
    app.include_router(health_router)
    app.include_router(syndication_router)
    app.include_router(discovery_router)
    app.include_router(metrics_router)
    app.include_router(media_files_router)
    if settings.docs_enabled:
        app.include_router(events_router)
        install_docs(app, openapi_url=OPENAPI_URL)  # last: API requests never test its routes
    if settings.hot_reads and tracing.provider is None:  # traced requests take FastAPI's path
        hot_reads.install(app)


def _install_error_handlers(app: FastAPI) -> None:
    # /api/v1 answers RFC 9457 problems; the rest of /api answers in the RealWorld format.
    install_error_handlers(app, {API_V1: render_problem, **ERROR_RENDERERS})
    app.add_exception_handler(Replay, replay_answer)
    app.add_exception_handler(405, method_not_allowed)


def _describe_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(
                generate(),
                {API_V1: PROBLEM_CONTENT, **ERROR_CONTENT},
                OPTIONAL_SCHEMES,
                {str(scope): text for scope, text in SCOPE_DESCRIPTIONS.items()},
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory inkwell.main:app_factory`."""
    settings = get_settings()
    configure_logging(settings)
    return create_app(settings)
