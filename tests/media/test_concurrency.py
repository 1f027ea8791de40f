"""Uploads racing each other: the quota holds, one user's uploads counted one at a time."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from inkwell.core.state import AppState
from inkwell.media import images
from inkwell.models.media import Media, MediaStatus
from tests.conftest import api_client
from tests.factories import create_user, signed_in_headers
from tests.media.support import photo, processed, upload, uploaded


@pytest.fixture
def racing_state(committing_state: AppState, tmp_path: Path) -> AppState:
    committing_state.settings = committing_state.settings.model_copy(
        update={"media_dir": tmp_path / "media"}
    )
    return committing_state


async def test_concurrent_uploads_never_exceed_the_quota(racing_state: AppState) -> None:
    data = photo("JPEG", 300, 200)
    racing_state.settings = racing_state.settings.model_copy(
        update={"media_quota_bytes": len(data) * 3}
    )
    async with racing_state.sessionmaker() as session:
        user = await create_user(session, username="racer")
    headers = await signed_in_headers(racing_state, user)
    async with api_client(racing_state) as client:
        responses = await asyncio.gather(*(upload(client, headers, data) for _ in range(8)))
    assert Counter(response.status_code for response in responses) == {201: 3, 413: 5}
    async with racing_state.sessionmaker() as session:
        stored = await session.scalar(select(func.count()).select_from(Media))
    assert stored == 3
    incoming = racing_state.settings.media_root / "incoming"
    assert len(list(incoming.iterdir())) == 3


async def test_concurrent_uploads_of_different_users_all_succeed(racing_state: AppState) -> None:
    data = photo("PNG", 200, 200)
    async with racing_state.sessionmaker() as session:
        users = [await create_user(session, username=f"user{n}") for n in range(4)]
    headers = [await signed_in_headers(racing_state, user) for user in users]
    async with api_client(racing_state) as client:
        calls = [upload(client, who, data) for who in headers for _ in range(2)]
        responses: list[httpx.Response] = await asyncio.gather(*calls)
    assert [response.status_code for response in responses] == [201] * 8
    assert len({response.json()["id"] for response in responses}) == 8


async def test_a_worker_process_decodes_at_most_the_configured_images_at_once(
    racing_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    racing_state.settings = racing_state.settings.model_copy(
        update={"media_processing_concurrency": 2}
    )
    async with racing_state.sessionmaker() as session:
        user = await create_user(session, username="photographer")
    headers = await signed_in_headers(racing_state, user)
    async with api_client(racing_state) as client:
        ids = [await uploaded(client, headers, photo("JPEG", 300, 200)) for _ in range(3)]
    inside, most = Counter[str](), Counter[str]()
    lock, two_inside, release = threading.Lock(), threading.Event(), threading.Event()
    real_process = images.process

    def held(*args: Any) -> images.Processed:
        with lock:
            inside["now"] += 1
            most["max"] = max(most["max"], inside["now"])
            if inside["now"] == 2:
                two_inside.set()
        release.wait(timeout=60)
        with lock:
            inside["now"] -= 1
        return real_process(*args)

    monkeypatch.setattr(images, "process", held)
    runs = asyncio.gather(*(processed(racing_state, media_id) for media_id in ids))
    assert await asyncio.to_thread(two_inside.wait, 60)
    for _ in range(20):  # room for the third to start, were it not held back
        await asyncio.sleep(0.01)
    assert inside["now"] == 2
    release.set()
    assert await runs == [MediaStatus.READY] * 3
    assert most["max"] == 2
