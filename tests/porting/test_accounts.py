"""Imported accounts have no password: login refuses them as it refuses a wrong password,
and the password reset gives them one."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.state import AppState
from inkwell.porting.importer import import_file
from tests.factories import create_user
from tests.mail.support import link_token, run_reset_jobs
from tests.porting.files import WxrItem, write_wxr, wxr_author

LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new passphrase"


async def test_an_imported_account_signs_in_only_after_a_reset(
    app_state: AppState,
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await create_user(session, username="known", email="known@example.com")
    authors = [wxr_author(1, "carol", "carol@example.com", "Carol")]
    path = write_wxr(tmp_path / "site.xml", [WxrItem(1, "Hi", "hi", creator="carol")], authors)
    await import_file(sessionmaker, kind="wordpress", path=path, max_depth=5)

    for password in ("", "!", "anything at all"):
        imported = await client.post(LOGIN, json={"login": "carol", "password": password or "x"})
        wrong = await client.post(LOGIN, json={"login": "known", "password": password or "x"})
        assert imported.status_code == wrong.status_code == 401
        assert imported.json()["code"] == wrong.json()["code"]
        assert imported.json()["detail"] == wrong.json()["detail"]

    await client.post("/api/v1/auth/password-reset", json={"email": "carol@example.com"})
    await run_reset_jobs(session, app_state.settings)
    token = await link_token(session, "carol@example.com")
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    done = await client.post("/api/v1/auth/password-reset/confirm", json=confirm)
    assert done.status_code == 204, done.text
    signed_in = await client.post(LOGIN, json={"login": "carol", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
