"""The OpenAPI document says what the app does: nullability, optional tokens, value formats."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from inkwell.comments.schemas import CommentCreate
from inkwell.core.config import Settings
from inkwell.main import create_app
from inkwell.posts.schemas import PostCreate, PostUpdate
from inkwell.users.schemas import AdminUserUpdate

DOCUMENT = create_app(Settings(_env_file=None, database_url="postgresql://unused/db")).openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(_nullable(s) for s in schema.get("anyOf", []))


def test_a_route_with_an_optional_token_documents_its_401() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if {} in operation.get("security", []):
                assert "401" in operation["responses"], f"{method} {path}"


async def test_every_bearer_route_offers_the_password_sign_in_the_docs_use(
    client: httpx.AsyncClient,
) -> None:
    """/docs's Authorize button signs in with the OAuth2 password flow: the token URL takes the
    form as Swagger UI sends it, and its token works on the routes that list the scheme."""
    scheme = DOCUMENT["components"]["securitySchemes"]["passwordSignIn"]
    token_url = scheme["flows"]["password"]["tokenUrl"]
    assert token_url in DOCUMENT["paths"]
    listed = 0
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            security = operation.get("security", [])
            assert ({"bearerAuth": []} in security) == ({"passwordSignIn": []} in security)
            listed += {"passwordSignIn": []} in security
    assert listed > 20
    assert (await client.get("/api/v1/users/me")).status_code == 401
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "docs@example.com", "username": "docs_reader", "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.text
    signed_in = await client.post(
        token_url,
        data={"grant_type": "password", "username": "docs_reader", "password": PASSWORD},
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()
    assert token["token_type"].lower() == "bearer"
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["username"] == "docs_reader"


PASSWORD = "a long enough passphrase 7"


@pytest.mark.parametrize(
    ("model", "refused", "accepted"),
    [
        (
            "PostUpdate",
            {"title", "content_raw", "status", "tags", "allow_comments", "moderate_comments"},
            {"slug", "summary", "published_at", "content_json", "metadata"},
        ),
        ("ProfileUpdate", {"username", "email"}, {"display_name", "bio", "avatar_url"}),
    ],
)
def test_only_fields_that_take_null_are_nullable(
    model: str, refused: set[str], accepted: set[str]
) -> None:
    properties = SCHEMAS[model]["properties"]
    assert {name for name in refused | accepted if _nullable(properties[name])} == accepted
    assert all("default" not in properties[name] for name in refused)


async def test_date_times_are_iso_8601_text_only(client: httpx.AsyncClient) -> None:
    for value in ("-6160068", "1700000000", "1.5"):
        response = await client.get("/api/v1/posts", params={"published_before": value})
        assert response.status_code == 422, value
    assert (await client.get("/api/v1/posts?published_before=2026-01-01T00:00:00Z")).is_success


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
@pytest.mark.parametrize(
    ("model", "body"),
    [
        (PostCreate, {"title": "t", "content_raw": "c", "allow_comments": None}),
        (PostUpdate, {"moderate_comments": None}),
        (AdminUserUpdate, {"is_active": None}),
    ],
)
def test_booleans_in_bodies_are_json_booleans(
    model: type[BaseModel], body: dict[str, Any], value: object
) -> None:
    field = next(name for name, given in body.items() if given is None)
    with pytest.raises(ValidationError, match=field):
        model.model_validate_json(json.dumps({**body, field: value}))


@pytest.mark.parametrize(
    ("content", "blank"), [("\x85", False), ("\x1c", False), (" \u3000\t\n", True)]
)
def test_a_blank_comment_is_blank_as_the_document_says(content: str, blank: bool) -> None:
    pattern = SCHEMAS["CommentCreate"]["properties"]["content"]["pattern"]
    assert (re.search(pattern, content) is None) is blank
    if blank:
        with pytest.raises(ValidationError, match="must not be blank"):
            CommentCreate(content=content)
    else:
        assert CommentCreate(content=content).content == content
