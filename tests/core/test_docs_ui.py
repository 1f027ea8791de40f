"""/docs and /redoc work without outside access: every asset comes from the app, and a real
browser that can reach nothing but the app renders both pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inkwell.core.config import Settings
from tests.conftest import make_settings
from tests.security.live_server import live_server

PAGES = ("/docs", "/redoc")
_URLS = re.compile(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""")


def chromium() -> str:
    """The machine's Chromium: `make test` installs it (Debian's package) when it is missing."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("No Chromium on this machine: run `make test`, which installs it")


@pytest.mark.parametrize("page", PAGES)
async def test_the_pages_load_only_the_apps_own_assets(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    urls = _URLS.findall(response.text)
    assert urls, response.text
    assert all(url.startswith("/") for url in urls), urls  # nothing from another host
    assert "googleapis" not in response.text
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0
    policy = response.headers["content-security-policy"]
    assert "https:" not in policy
    assert "script-src 'self' 'unsafe-inline';" in policy


async def test_the_assets_are_revalidated_and_the_redirect_page_is_served(
    client: httpx.AsyncClient,
) -> None:
    bundle = await client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    again = await client.get(
        "/docs/static/swagger-ui-bundle.js", headers={"If-None-Match": bundle.headers["etag"]}
    )
    assert again.status_code == 304
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text.lower()
    assert (await client.get("/docs/static/../../pyproject.toml")).status_code == 404


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[str]:
    settings: Settings = make_settings(database_url, rate_limit_enabled=False)
    with live_server(settings) as base_url:
        yield base_url


def render(url: str, profile: Path, *extra: str) -> str:
    """What headless Chromium shows at `url` once its scripts have run, with every host but
    the app's unreachable (as on a machine without outside access)."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=20000",
        *extra,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_a_browser_without_outside_access_renders_swagger_ui(served: str, tmp_path: Path) -> None:
    dom = render(f"{served}/docs", tmp_path / "profile", "--dump-dom")
    assert 'class="swagger-ui"' in dom
    assert "/api/v1/posts/{id_or_slug}" in dom  # the operations are listed
    assert "authorize" in dom.lower()  # the Authorize button, with the sign-in flow
    shot = tmp_path / "docs.png"
    render(f"{served}/docs", tmp_path / "shot", f"--screenshot={shot}", "--window-size=1280,1600")
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


def test_a_browser_without_outside_access_renders_redoc(served: str, tmp_path: Path) -> None:
    dom = render(f"{served}/redoc", tmp_path / "profile", "--dump-dom")
    assert "Inkwell" in dom
    assert "api-content" in dom  # ReDoc drew the reference
    assert "/api/v1/posts/{id_or_slug}" in dom
