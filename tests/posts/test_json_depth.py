"""Free JSON fields (`content_json`, `metadata`) are refused past a nesting depth, as a 422."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from inkwell.posts.schemas import MAX_JSON_DEPTH
from tests.posts.conftest import Account
from tests.posts.test_api import POSTS, write


def nested(depth: int) -> dict[str, Any]:
    """A JSON object `depth` containers deep (an object holding a list holding an object...)."""
    value: Any = {} if depth % 2 else []
    for level in reversed(range(depth - 1)):  # level 0 is the outermost, an object
        value = [value] if level % 2 else {"c": value}
    return value  # type: ignore[no-any-return]


def test_the_helper_builds_the_depth_asked_for() -> None:
    def depth(value: Any) -> int:
        children = value.values() if isinstance(value, dict) else value
        if not isinstance(value, dict | list):
            return 0
        return 1 + max((depth(child) for child in children), default=0)

    assert [depth(nested(n)) for n in (1, 2, 3, 64, 256)] == [1, 2, 3, 64, 256]


@pytest.mark.parametrize("field", ["content_json", "metadata"])
async def test_deep_json_is_refused_on_create_and_edit(
    client: httpx.AsyncClient, alice: Account, field: str
) -> None:
    post = await write(client, alice, **{field: nested(MAX_JSON_DEPTH)})
    assert post[field] == nested(MAX_JSON_DEPTH)
    for depth in (MAX_JSON_DEPTH + 1, 256, 900):
        body = {"title": "Deep", "content_raw": "x", field: nested(depth)}
        created = await client.post(POSTS, json=body, headers=alice.headers)
        edited = await client.patch(
            f"{POSTS}/{post['id']}", json={field: nested(depth)}, headers=alice.headers
        )
        for response in (created, edited):
            assert response.status_code == 422, response.text
            # Near Python's recursion limit (a deep test stack, coverage) the body itself is
            # unreadable, which is a 422 on the body.
            error = response.json()["errors"][0]
            if depth < 900 or error["field"]:
                assert error["field"] == field
                assert f"at most {MAX_JSON_DEPTH} levels" in error["message"]
