"""`Idempotency-Key` on uploads: a retried upload of the same file answers the first answer and
stores nothing again; another file with the key is refused; racing retries make one upload."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.media import Media
from tests.conftest import api_client
from tests.factories import create_user, signed_in_headers
from tests.media.support import photo, upload
from tests.posts.conftest import Account


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def _incoming(state: AppState) -> list[Path]:
    folder = state.settings.media_root / "incoming"
    return list(folder.iterdir()) if folder.exists() else []


async def _uploads(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Media)) or 0)


async def test_a_retried_upload_answers_the_first_answer_and_stores_nothing_again(
    media_client: httpx.AsyncClient, media_state: AppState, session: AsyncSession, alice: Account
) -> None:
    data = photo("JPEG", 200, 150)
    first = await upload(media_client, _keyed(alice.headers, "up-1"), data)
    again = await upload(media_client, _keyed(alice.headers, "up-1"), data)

    assert first.status_code == again.status_code == 201, again.text
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _uploads(session) == 1
    assert len(_incoming(media_state)) == 1


async def test_another_file_with_the_same_key_is_422_and_stores_nothing(
    media_client: httpx.AsyncClient, media_state: AppState, session: AsyncSession, alice: Account
) -> None:
    assert (await upload(media_client, _keyed(alice.headers, "up-2"), photo())).status_code == 201
    other = photo("PNG", 90, 90)
    refused = await upload(
        media_client,
        _keyed(alice.headers, "up-2"),
        other,
        filename="other.png",
        content_type="image/png",
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"
    assert await _uploads(session) == 1
    assert len(_incoming(media_state)) == 1
    # Without the key, the same file is a new upload.
    assert (await upload(media_client, alice.headers, other)).status_code == 201


@pytest.fixture
def racing_state(committing_state: AppState, tmp_path: Path) -> AppState:
    committing_state.settings = committing_state.settings.model_copy(
        update={"media_dir": tmp_path / "media"}
    )
    return committing_state


async def test_twenty_concurrent_retries_of_one_upload_store_it_once(
    racing_state: AppState,
) -> None:
    data = photo("JPEG", 300, 200)
    async with racing_state.sessionmaker() as session:
        user = await create_user(session, username="retrier")
    headers = _keyed(await signed_in_headers(racing_state, user), "burst")
    async with api_client(racing_state) as client:
        answers = await asyncio.gather(*(upload(client, headers, data) for _ in range(20)))

    assert [a.status_code for a in answers] == [201] * 20, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    async with racing_state.sessionmaker() as session:
        assert await _uploads(session) == 1
    assert len(_incoming(racing_state)) == 1
