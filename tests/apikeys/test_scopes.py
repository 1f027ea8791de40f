"""What a key may do: each scope opens its operations and nothing else, the owner's role
still applies, and an operation that declares no scope refuses every key."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.auth.dependencies import optional_principal, optional_user
from inkwell.auth.scopes import Scope
from inkwell.core.openapi import API_KEY_SCOPE, SIGN_IN_ONLY_SCOPE
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.apikeys.conftest import make_key
from tests.factories import create_post
from tests.posts.conftest import Account


@dataclass(frozen=True)
class Use:
    """One operation that needs `scope`, and the status it answers when allowed."""

    scope: Scope
    call: Callable[[httpx.AsyncClient, dict[str, str], str], Awaitable[httpx.Response]]
    allowed: int


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


USES = [
    Use(Scope.POSTS_READ, lambda c, h, _: c.get("/api/v1/users/me/posts", headers=h), 200),
    Use(
        Scope.POSTS_WRITE,
        lambda c, h, _: c.post(
            "/api/v1/posts", json={"title": "By key", "content_raw": "Text."}, headers=h
        ),
        201,
    ),
    Use(
        Scope.COMMENTS_WRITE,
        lambda c, h, post: c.post(
            f"/api/v1/posts/{post}/comments", json={"content": "Hello"}, headers=h
        ),
        201,
    ),
    Use(Scope.MEDIA_READ, lambda c, h, _: c.get("/api/v1/users/me/media", headers=h), 200),
    Use(
        Scope.MEDIA_WRITE,
        lambda c, h, _: c.post(
            "/api/v1/media", files={"file": ("a.png", _png(), "image/png")}, headers=h
        ),
        201,
    ),
    Use(Scope.PROFILE_READ, lambda c, h, _: c.get("/api/v1/users/me", headers=h), 200),
    Use(
        Scope.PROFILE_WRITE,
        lambda c, h, _: c.patch("/api/v1/users/me", json={"bio": "Automated"}, headers=h),
        200,
    ),
    Use(Scope.ADMIN, lambda c, h, _: c.get("/api/v1/admin/outbox", headers=h), 200),
]


def test_every_scope_has_a_use() -> None:
    assert {use.scope for use in USES} == set(Scope)


@pytest.mark.parametrize("use", USES, ids=[use.scope.value for use in USES])
async def test_a_key_without_the_scope_is_refused_and_with_it_allowed(
    use: Use, client: httpx.AsyncClient, admin: Account, session: AsyncSession
) -> None:
    post = await create_post(session, admin.user)
    others = [scope.value for scope in Scope if scope is not use.scope]
    without = await make_key(client, admin, others)
    refused = await use.call(client, without, str(post.id))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "insufficient_scope"

    with_it = await make_key(client, admin, [use.scope.value])
    allowed = await use.call(client, with_it, str(post.id))
    assert allowed.status_code == use.allowed, allowed.text


async def test_the_admin_scope_gives_no_rights_the_owner_lacks(
    client: httpx.AsyncClient, alice: Account
) -> None:
    key = await make_key(client, alice, ["admin"])
    response = await client.get("/api/v1/admin/outbox", headers=key)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_role"


async def test_a_key_reads_its_owners_drafts_and_no_one_elses(
    client: httpx.AsyncClient, alice: Account, bob: Account, session: AsyncSession
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    own = await make_key(client, alice, ["posts:read"])
    other = await make_key(client, bob, ["posts:read"])
    assert (await client.get(f"/api/v1/posts/{draft.id}", headers=own)).status_code == 200
    assert (await client.get(f"/api/v1/posts/{draft.id}", headers=other)).status_code == 404
    edit = await make_key(client, bob, ["posts:write"])
    changed = await client.patch(f"/api/v1/posts/{draft.id}", json={"title": "x"}, headers=edit)
    assert changed.status_code in {403, 404}


async def test_a_key_cannot_change_the_email_address(
    client: httpx.AsyncClient, alice: Account
) -> None:
    key = await make_key(client, alice, ["profile:write", "profile:read"])
    response = await client.patch("/api/v1/users/me", json={"email": "x@example.org"}, headers=key)
    assert response.status_code == 403
    assert response.json()["code"] == "sign_in_required"
    me = (await client.get("/api/v1/users/me", headers=key)).json()
    assert me["email"] == "alice@example.com"
    by_sign_in = await client.patch(
        "/api/v1/users/me", json={"email": "x@example.org"}, headers=alice.headers
    )
    assert by_sign_in.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/auth/sessions", None),
        ("POST", "/api/v1/auth/logout-all", None),
        (
            "POST",
            "/api/v1/users/me/password",
            {"current_password": "x", "new_password": "a new long passphrase"},
        ),
        ("DELETE", "/api/v1/users/me", None),
        ("POST", "/api/v1/auth/verify-email/resend", None),
    ],
)
async def test_account_operations_refuse_every_key(
    method: str, path: str, body: object, client: httpx.AsyncClient, alice: Account
) -> None:
    key = await make_key(client, alice, [scope.value for scope in Scope])
    response = await client.request(method, path, json=body, headers=key)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert (await client.get("/api/v1/users/me", headers=alice.headers)).status_code == 200


async def test_an_access_token_has_no_scope_limit(
    client: httpx.AsyncClient, alice: Account
) -> None:
    assert (await client.get("/api/v1/auth/sessions", headers=alice.headers)).status_code == 200
    assert (await client.get("/api/v1/users/me/media", headers=alice.headers)).status_code == 200


def _authenticates(dependant: Dependant) -> bool:
    if dependant.call in (optional_principal, optional_user):
        return True
    return any(_authenticates(sub) for sub in dependant.dependencies)


def _authenticated_routes(app: FastAPI) -> list[object]:
    return [
        route
        for route in iter_route_contexts(app.routes)
        if isinstance(getattr(route, "dependant", None), Dependant)
        and _authenticates(route.dependant)
    ]


def test_every_route_that_takes_a_token_declares_what_a_key_needs(app_state: AppState) -> None:
    """A scope, or `SIGN_IN_ONLY`: a new route cannot forget (and would refuse keys if it
    did)."""
    app = create_app(app_state.settings, state=app_state)
    routes = _authenticated_routes(app)
    assert len(routes) > 70
    valid = {scope.value for scope in Scope} | {SIGN_IN_ONLY_SCOPE}
    for route in routes:
        extra = getattr(route, "openapi_extra", None) or {}
        assert API_KEY_SCOPE in extra, f"{route.path_format} declares no API-key scope"  # type: ignore[attr-defined]
        assert extra[API_KEY_SCOPE] in valid


async def test_a_route_declaring_nothing_refuses_keys(
    app_state: AppState, client: httpx.AsyncClient, alice: Account
) -> None:
    """Secure by default: the check reads the route's declaration, and none is a refusal."""
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    [get_me] = [
        r
        for r in iter_route_contexts(app.routes)
        if r.path_format == "/api/v1/users/me" and "GET" in (r.methods or ())
    ]
    declared = get_me.original_route
    assert isinstance(declared, APIRoute)
    saved = declared.openapi_extra
    key = await make_key(client, alice, [scope.value for scope in Scope])
    declared.openapi_extra = None
    try:
        response = await client.get("/api/v1/users/me", headers=key)
    finally:
        declared.openapi_extra = saved
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert (await client.get("/api/v1/users/me", headers=key)).status_code == 200


async def test_the_document_shows_the_scheme_and_each_operations_scope(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["apiKey"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "ink_..."
    assert all(f"`{scope.value}`" in scheme["description"] for scope in Scope)
    paths = document["paths"]

    def security(path: str, method: str) -> list[dict[str, list[str]]]:
        operation = paths[path][method]
        assert API_KEY_SCOPE not in operation
        return list(operation["security"])

    assert {"apiKey": ["posts:write"]} in security("/api/v1/posts", "post")
    assert security("/api/v1/posts/{id_or_slug}", "get")[0] == {}  # a token is optional
    assert {"apiKey": ["posts:read"]} in security("/api/v1/posts/{id_or_slug}", "get")
    assert {"apiKey": ["comments:write"]} in security("/api/v1/posts/{post}/comments", "post")
    assert {"apiKey": ["media:write"]} in security("/api/v1/media", "post")
    assert {"apiKey": ["admin"]} in security("/api/v1/admin/webhooks", "get")
    assert {"apiKey": ["profile:write"]} in security("/api/v1/users/me", "patch")
    for path, method in [("/api/v1/users/me/api-keys", "post"), ("/api/v1/auth/sessions", "get")]:
        assert not [item for item in security(path, method) if "apiKey" in item]
        assert "403" in paths[path][method]["responses"]
    assert "429" in paths["/api/v1/users/me/posts"]["get"]["responses"]
