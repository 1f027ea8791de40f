"""`/docs` (Swagger UI) and `/redoc` (ReDoc) with their assets served by the app itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc its fonts from Google), so
on a machine without outside access they are blank. The assets come from the `fastapi-offline`
package, which ships Swagger UI's and ReDoc's release files (and nothing we call: only its
`static` folder is used), and are served under `/docs/static` (with validators: a browser
revalidates them and gets 304 until the package changes).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS = "/docs"
REDOC = "/redoc"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
ASSETS = "/docs/static"
PAGES = frozenset({DOCS, REDOC, OAUTH2_REDIRECT})


def assets_dir() -> Path:
    """Where the installed package keeps Swagger UI's and ReDoc's files."""
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Add the two documentation pages, the OAuth2 redirect page and their assets. Create the
    app with `docs_url=None, redoc_url=None` so FastAPI adds no pages of its own."""

    def url(request: Request, path: str) -> str:
        root: str = request.scope.get("root_path", "")
        return root + path

    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=url(request, openapi_url),
            title=f"{app.title} - API documentation",
            swagger_js_url=url(request, f"{ASSETS}/swagger-ui-bundle.js"),
            swagger_css_url=url(request, f"{ASSETS}/swagger-ui.css"),
            swagger_favicon_url=url(request, f"{ASSETS}/favicon.png"),
            oauth2_redirect_url=url(request, OAUTH2_REDIRECT),
            swagger_ui_parameters={"persistAuthorization": False},
        )

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=url(request, openapi_url),
            title=f"{app.title} - API reference",
            redoc_js_url=url(request, f"{ASSETS}/redoc.standalone.js"),
            redoc_favicon_url=url(request, f"{ASSETS}/favicon.png"),
            with_google_fonts=False,
        )

    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    app.add_api_route(DOCS, swagger_ui, include_in_schema=False, methods=["GET"])
    app.add_api_route(OAUTH2_REDIRECT, oauth2_redirect, include_in_schema=False, methods=["GET"])
    app.add_api_route(REDOC, redoc, include_in_schema=False, methods=["GET"])
