"""A user's own data (GDPR): profile, posts with versions, comments, likes, bookmarks and
follows, and nothing of anyone else's."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Bookmark
from inkwell.porting.exporter import export_to
from tests.factories import create_comment, create_post, create_user, follow, like


def read(buffer: io.BytesIO) -> tuple[dict[str, Any], list[str]]:
    with zipfile.ZipFile(buffer) as archive:
        return json.loads(archive.read("export.json")), sorted(archive.namelist())


async def test_a_user_export_holds_their_data_only(session: AsyncSession) -> None:
    ann = await create_user(session, username="ann", email="ann@example.com")
    ben = await create_user(session, username="ben", email="ben@example.com")
    own = await create_post(session, ann, title="Mine", tags=["Life"])
    other = await create_post(session, ben, title="Theirs")
    await create_comment(session, other, ann, content="Nice")
    await create_comment(session, other, ben, content="Thanks")
    await like(session, ann, other)
    await follow(session, ann, ben)
    await follow(session, ben, ann)
    session.add(Bookmark(user_id=ann.id, post_id=other.id))
    await session.commit()
    buffer = io.BytesIO()

    assert await export_to(session, buffer, username="ANN")

    document, names = read(buffer)
    assert document["kind"] == "user"
    assert [(u["username"], u["email"]) for u in document["users"]] == [("ann", "ann@example.com")]
    assert [p["title"] for p in document["posts"]] == ["Mine"]
    assert document["posts"][0]["tags"] == ["Life"]
    assert [v["version"] for v in document["posts"][0]["versions"]] == [1]
    assert [c["content_raw"] for c in document["comments"]] == ["Nice"]
    assert [r["post_id"] for r in document["likes"]] == [str(other.id)]
    assert [r["post_id"] for r in document["bookmarks"]] == [str(other.id)]
    assert [r["followee_id"] for r in document["follows"]] == [str(ben.id)]
    assert [r["follower_id"] for r in document["followers"]] == [str(ben.id)]
    assert names == ["export.json", f"posts/{own.slug}.md"]


async def test_an_unknown_user_exports_nothing(session: AsyncSession) -> None:
    assert not await export_to(session, io.BytesIO(), username="nobody")
