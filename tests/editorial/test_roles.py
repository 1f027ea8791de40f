"""Roles around the posts: new accounts take INKWELL_DEFAULT_ROLE, admins grant the editorial
roles, editors moderate comments like moderators, and RealWorld refuses a contributor's
article (it would be published at once)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.models.user import Role
from tests.conftest import api_client
from tests.factories import DEFAULT_PASSWORD, create_comment, create_post, realworld_token
from tests.posts.conftest import Account

REGISTER = {"email": "new@example.com", "username": "newcomer", "password": DEFAULT_PASSWORD}


async def test_new_accounts_are_authors_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json=REGISTER)
    assert response.json()["role"] == "author"


async def test_a_reviewed_publication_registers_contributors(app_state: AppState) -> None:
    settings = app_state.settings.model_copy(update={"default_role": "contributor"})
    async with api_client(replace(app_state, settings=settings)) as client:
        response = await client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "contributor"


def test_the_default_role_cannot_be_a_privileged_one() -> None:
    for role in ("editor", "admin", "moderator", "user"):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, default_role=role)


@pytest.mark.parametrize("role", ["contributor", "editor"])
async def test_an_admin_grants_the_editorial_roles(
    client: httpx.AsyncClient, roles: dict[Role, Account], role: str
) -> None:
    target = roles[Role.AUTHOR]
    response = await client.patch(
        f"/api/v1/admin/users/{target.user.id}",
        json={"role": role},
        headers=roles[Role.ADMIN].headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == role
    refused = await client.patch(
        f"/api/v1/admin/users/{target.user.id}",
        json={"role": "admin"},
        headers=roles[Role.EDITOR].headers,
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CONTRIBUTOR, 403), (Role.AUTHOR, 403), (Role.MODERATOR, 200), (Role.EDITOR, 200)],
)
async def test_editors_moderate_comments_like_moderators(
    client: httpx.AsyncClient,
    session: AsyncSession,
    roles: dict[Role, Account],
    role: Role,
    status: int,
) -> None:
    owner = roles[Role.ADMIN].user
    post = await create_post(session, owner)
    comment = await create_comment(session, post, owner)
    response = await client.post(f"/api/v1/comments/{comment.id}/hide", headers=roles[role].headers)
    assert response.status_code == status


async def test_realworld_refuses_a_contributors_article(
    client: httpx.AsyncClient, app_state: AppState, roles: dict[Role, Account]
) -> None:
    token = await realworld_token(app_state, roles[Role.CONTRIBUTOR].user)
    article = {"title": "Mine", "description": "d", "body": "b"}
    response = await client.post(
        "/api/articles", json={"article": article}, headers={"Authorization": f"Token {token}"}
    )
    assert response.status_code == 403
    assert response.json() == {"errors": {"article": ["forbidden"]}}
