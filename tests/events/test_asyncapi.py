"""GET /asyncapi.json: a valid AsyncAPI 3.0 document naming every event type, whose message
schemas accept the events the outbox really holds."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.events.catalogue import CATALOGUE, EVENT_TYPES
from tests.conftest import api_client, build_state, make_settings
from tests.events.support import outbox
from tests.posts.conftest import Account


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/asyncapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    found: dict[str, Any] = response.json()
    return found


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"]
        for inner in value.values():
            yield from _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs(inner)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    found: Any = document
    for part in ref[2:].split("/"):
        found = found[part]
    return found


def test_the_document_is_valid_asyncapi_3(document: dict[str, Any]) -> None:
    with warnings.catch_warnings():  # the validator's models shadow a BaseModel attribute
        warnings.simplefilter("ignore", UserWarning)
        from asyncapi3 import AsyncAPI3  # type: ignore[import-untyped]  # noqa: PLC0415

    AsyncAPI3.model_validate(document)
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(document["info"])
    for ref in _refs(document):
        assert _resolve(document, ref) is not None


def test_every_event_type_has_its_message_on_its_topic(document: dict[str, Any]) -> None:
    messages = document["components"]["messages"]
    assert sorted(message["name"] for message in messages.values()) == sorted(CATALOGUE)
    for kind in EVENT_TYPES:
        channel = document["channels"][kind.topic]
        assert channel["address"] == f"inkwell.{kind.topic}"
        assert kind.__name__ in channel["messages"]
        operation = document["operations"][f"send_{kind.topic}"]
        assert operation["action"] == "send"
        assert {"$ref": f"#/channels/{kind.topic}/messages/{kind.__name__}"} in operation[
            "messages"
        ]


async def test_the_message_schemas_accept_recorded_events(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, document: dict[str, Any]
) -> None:
    body = {"title": "Schemas", "content_raw": "x", "status": "published", "tags": ["a"]}
    response = await client.post("/api/v1/posts", json=body, headers=alice.headers)
    assert response.status_code == 201, response.text
    rows = await outbox(session)
    assert len(rows) == 2
    for row in rows:
        name = CATALOGUE[row.type].__name__
        schema = {"$ref": f"#/components/messages/{name}/payload", **document}
        Draft202012Validator(schema).validate(row.payload)
        wrong = {**row.payload, "type": "inkwell.post.other.v1"}
        assert not Draft202012Validator(schema).is_valid(wrong)


async def _get(
    settings: Settings,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> httpx.Response:
    state = build_state(settings, engine, hasher, sessionmaker)
    async with api_client(state) as client:
        return await client.get("/asyncapi.json")


async def test_topics_follow_the_prefix_and_docs_can_be_hidden(
    database_url: str,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    prefixed = make_settings(database_url, event_topic_prefix="acme.blog", event_source="/acme")
    response = await _get(prefixed, engine, hasher, sessionmaker)
    assert response.json()["channels"]["posts"]["address"] == "acme.blog.posts"
    assert "`/acme`" in response.json()["info"]["description"]
    hidden = make_settings(database_url, docs_enabled=False)
    assert (await _get(hidden, engine, hasher, sessionmaker)).status_code == 404
