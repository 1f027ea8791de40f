"""Feeds under /feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), /sitemap.xml and /robots.txt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse

from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import StateDep
from inkwell.core.http_cache import none_match, not_modified_since, read_headers, weak_etag
from inkwell.core.openapi import errors
from inkwell.posts.schemas import TagSlug
from inkwell.syndication.dependencies import LinksDep, SyndicationServiceDep
from inkwell.syndication.formats import (
    FORMATS,
    Links,
    http_date,
    robots,
    sitemap_index,
    urlset,
)
from inkwell.syndication.records import FeedPage
from inkwell.users.schemas import Username

router = APIRouter(prefix="/feeds", tags=["syndication"], route_class=SessionRoute)
discovery_router = APIRouter(tags=["syndication"], route_class=SessionRoute)

Limit = Annotated[int, Query(ge=1, le=100, description="How many posts, newest first")]
Content = Annotated[
    Literal["full", "excerpt"] | None,
    Query(description="Whole posts or their summaries (default: INKWELL_FEED_FULL_CONTENT)"),
]
XML = "application/xml; charset=utf-8"


def feed_etag(page: FeedPage, links: Links, file: str) -> str:
    """A weak ETag over what the feed shows: its scope, mode, links and each item's fields."""
    parts: list[object] = [file, page.full_content, page.scope, links]
    for item in page.items:
        parts += [item.id, item.version, item.updated_at, item.published_at]
        parts += [item.author_username, item.author_name, item.cover, len(item.tags), *item.tags]
    return weak_etag(*parts)


def feed_response(request: Request, page: FeedPage, links: Links, file: str) -> Response:
    """The feed, or a bodiless 304 when the client's ETag (or, without one, date) is current."""
    headers = read_headers(request, feed_etag(page, links, file))
    if page.modified_at is not None:
        headers["Last-Modified"] = http_date(page.modified_at)
    if _current(request, headers["ETag"], page):
        return Response(status_code=304, headers=headers)
    render, media_type = FORMATS[file]
    body = render(page, links, links.site + request.url.path)
    return Response(body, media_type=media_type, headers=headers)


def _current(request: Request, etag: str, page: FeedPage) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:  # RFC 9110 13.2.2: If-None-Match, when sent, decides alone
        return none_match(match, etag)
    since = request.headers.get("if-modified-since")
    return page.modified_at is not None and not_modified_since(since, page.modified_at)


def _full(content: str | None, request: Request) -> bool:
    if content is None:
        return bool(request.app.state.inkwell.settings.feed_full_content)
    return content == "full"


Endpoint = Callable[..., Awaitable[Response]]


def _site_feed(file: str) -> Endpoint:
    async def site_feed(
        *,
        request: Request,
        service: SyndicationServiceDep,
        links: LinksDep,
        limit: Limit = 20,
        content: Content = None,
    ) -> Response:
        page = await service.site_feed(limit=limit, full=_full(content, request))
        return feed_response(request, page, links, file)

    return site_feed


def _author_feed(file: str) -> Endpoint:
    async def author_feed(
        *,
        request: Request,
        service: SyndicationServiceDep,
        links: LinksDep,
        username: Annotated[Username, Path()],
        limit: Limit = 20,
        content: Content = None,
    ) -> Response:
        full = _full(content, request)
        page = await service.author_feed(username=username, limit=limit, full=full)
        return feed_response(request, page, links, file)

    return author_feed


def _tag_feed(file: str) -> Endpoint:
    async def tag_feed(
        *,
        request: Request,
        service: SyndicationServiceDep,
        links: LinksDep,
        slug: Annotated[TagSlug, Path()],
        limit: Limit = 20,
        content: Content = None,
    ) -> Response:
        page = await service.tag_feed(slug=slug, limit=limit, full=_full(content, request))
        return feed_response(request, page, links, file)

    return tag_feed


def _responses(media_type: str, *statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type.partition(";")[0]: {}}, "description": "The feed"},
        304: {"description": "Not modified: the ETag or date sent is current"},
        **errors(*statuses),
    }


_SCOPES = (
    ("", _site_feed, "the whole site", (422,)),
    ("/authors/{username}", _author_feed, "one author", (404, 422)),
    ("/tags/{slug}", _tag_feed, "one tag", (404, 422)),
)
for _prefix, _factory, _whose, _statuses in _SCOPES:
    for _file, (_render, _media_type) in FORMATS.items():
        router.add_api_route(
            f"{_prefix}/{_file}",
            _factory(_file),
            methods=["GET"],
            response_class=Response,
            summary=f"The newest posts of {_whose} as {_file}",
            operation_id=f"feed_{_factory.__name__.strip('_')}_{_file.replace('.', '_')}",
            responses=_responses(_media_type, *_statuses),
        )


@discovery_router.get(
    "/sitemap.xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "Sitemap or index"}},
)
async def sitemap(service: SyndicationServiceDep, links: LinksDep, state: StateDep) -> Response:
    """Every listed post's page; past INKWELL_SITEMAP_URLS_PER_FILE a sitemap index instead."""
    per_file = state.settings.sitemap_urls_per_file
    files = await service.sitemap_files(per_file=per_file)
    if files > 1:
        return Response(sitemap_index(files, links), media_type=XML)
    entries = await service.sitemap_file(number=1, per_file=per_file)
    return Response(urlset(entries, links), media_type=XML)


@discovery_router.get(
    "/sitemaps/{number}.xml",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "One sitemap file"},
        **errors(404, 422),
    },
)
async def sitemap_file(
    number: Annotated[int, Path(ge=1, le=1_000_000)],
    service: SyndicationServiceDep,
    links: LinksDep,
    state: StateDep,
) -> Response:
    """One file of a sitemap index, numbered from 1."""
    per_file = state.settings.sitemap_urls_per_file
    entries = await service.sitemap_file(number=number, per_file=per_file)
    return Response(urlset(entries, links), media_type=XML)


@discovery_router.get("/robots.txt", response_class=PlainTextResponse)
async def robots_txt(links: LinksDep) -> str:
    """Where crawlers may go, and the sitemap."""
    return robots(links)
