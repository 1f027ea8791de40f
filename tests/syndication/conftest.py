"""Signed-in accounts, and the app set up with a site URL and a front end."""

from __future__ import annotations

import pytest

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from tests.conftest import make_settings
from tests.posts.conftest import Account, account, alice, bob  # noqa: F401 - fixtures

SITE = "https://blog.example.com"
PAGES = "https://read.example.com"


@pytest.fixture
def site_settings(settings: Settings, app_state: AppState) -> Settings:
    """The test app's settings with INKWELL_SITE_URL and INKWELL_FRONTEND_URL set."""
    app_state.settings = make_settings(
        settings.database_url or "",
        site_url=SITE,
        frontend_url=PAGES,
        site_name="Ink & Co",
        trusted_hosts=["testserver"],
    )
    return app_state.settings
