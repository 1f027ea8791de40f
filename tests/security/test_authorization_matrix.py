"""Every route with a path id, from the OpenAPI document, as five callers (SECURITY 23-24).

Each (route, target) builds one world: an owner with a published post, a draft, a comment and a
login session, plus another user, a moderator and an admin. Each caller's request runs in a
savepoint that is rolled back, so callers do not see each other's changes. A caller gets the
status in the table below, that status is one the route documents, and after a refused write
every table is exactly as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.models import Base
from inkwell.models.api_key import ApiKey
from inkwell.models.media import Media
from inkwell.models.notification import Notification, NotificationKind
from inkwell.models.porting import ExportJob, ImportJob
from inkwell.models.post import PostPreviewLink
from inkwell.models.series import Series
from inkwell.models.user import Role, User
from inkwell.models.webhook import WebhookDelivery, WebhookEndpoint
from tests.factories import create_comment, create_post, create_user, signed_in_headers

ACTORS = ("anonymous", "other", "owner", "moderator", "admin")


@dataclass
class World:
    users: dict[str, User]
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    target: str  # which of the owner's things the path names
    expected: tuple[int, int, int, int, int]  # in ACTORS order
    body: dict[str, Any] | None = None


P, D, W = "published", "draft", "webhook"
# Expected statuses: anonymous, another user, the owner, a moderator, an admin.
CASES = [
    Case("DELETE", "/api/v1/auth/sessions/{session_id}", "session", (401, 404, 204, 404, 404)),
    Case("DELETE", "/api/v1/users/me/api-keys/{key_id}", "api_key", (401, 404, 204, 404, 404)),
    Case("GET", "/api/v1/users/{username}", "user", (200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/users/{username}/likes", "user", (200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/users/{username}/followers", "user", (200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/users/{username}/following", "user", (200, 200, 200, 200, 200)),
    Case("PUT", "/api/v1/users/{username}/follow", "user", (401, 200, 422, 200, 200)),
    Case("DELETE", "/api/v1/users/{username}/follow", "user", (401, 200, 200, 200, 200)),
    *[
        Case(m, f"/api/v1/users/{{username}}/{what}", "user", (401, 204, 422, 204, 204))
        for m in ("PUT", "DELETE")
        for what in ("block", "mute")
    ],
    Case(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        "notification",
        (401, 404, 204, 404, 404),
    ),
    Case(
        "PATCH",
        "/api/v1/admin/users/{user_id}",
        "user",
        (401, 403, 403, 403, 200),
        {"role": "moderator"},
    ),
    Case("GET", "/api/v1/posts/{id_or_slug}", P, (200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/posts/{id_or_slug}", D, (404, 404, 200, 200, 200)),
    *[
        Case(m, "/api/v1/posts/{id_or_slug}", P, (401, 403, 200, 403, 200), {"title": "Changed"})
        for m in ("PUT", "PATCH")
    ],
    *[
        Case(m, "/api/v1/posts/{id_or_slug}", D, (401, 404, 200, 403, 200), {"title": "Changed"})
        for m in ("PUT", "PATCH")
    ],
    Case("DELETE", "/api/v1/posts/{id_or_slug}", P, (401, 403, 204, 403, 204)),
    Case("DELETE", "/api/v1/posts/{id_or_slug}", D, (401, 404, 204, 403, 204)),
    Case("POST", "/api/v1/posts/{post_id}/publish", D, (401, 404, 200, 403, 200)),
    Case("POST", "/api/v1/posts/{post_id}/unpublish", P, (401, 403, 200, 403, 200)),
    # Featuring: editors and admins only; authors and moderators are refused.
    *[
        Case(m, "/api/v1/posts/{post_id}/featured", target, (401, other, 403, 403, 200))
        for m in ("PUT", "DELETE")
        for target, other in ((P, 403), (D, 404))
    ],
    # Series: anyone reads; the owner and admins change.
    Case("GET", "/api/v1/series/{id_or_slug}", "series", (200, 200, 200, 200, 200)),
    Case(
        "PATCH",
        "/api/v1/series/{id_or_slug}",
        "series",
        (401, 403, 200, 403, 200),
        {"title": "Changed"},
    ),
    Case("DELETE", "/api/v1/series/{id_or_slug}", "series", (401, 403, 204, 403, 204)),
    Case(
        "PUT",
        "/api/v1/series/{id_or_slug}/posts",
        "series",
        (401, 403, 200, 403, 200),
        {"post_ids": []},
    ),
    # The review flow: the owner (an author) submits; only editors and admins review.
    Case("POST", "/api/v1/posts/{post_id}/submit", D, (401, 404, 200, 403, 403)),
    Case("POST", "/api/v1/posts/{post_id}/withdraw", D, (401, 404, 409, 403, 403)),
    Case("POST", "/api/v1/posts/{post_id}/approve", D, (401, 404, 403, 403, 409)),
    Case(
        "POST",
        "/api/v1/posts/{post_id}/request-changes",
        D,
        (401, 404, 403, 403, 409),
        {"note": "Tighten the intro."},
    ),
    Case("GET", "/api/v1/posts/{post_id}/reviews", D, (401, 404, 200, 403, 200)),
    Case(
        "PUT",
        "/api/v1/posts/{post_id}/authors",
        D,
        (401, 404, 200, 403, 200),
        {"authors": ["matrix_owner"]},
    ),
    Case("GET", "/api/v1/posts/{post_id}/versions", P, (401, 403, 200, 403, 200)),
    Case("GET", "/api/v1/posts/{post_id}/versions", D, (401, 404, 200, 403, 200)),
    Case("GET", "/api/v1/posts/{post_id}/versions/{number}", P, (401, 403, 200, 403, 200)),
    Case("POST", "/api/v1/posts/{post_id}/versions/{number}/restore", P, (401, 403, 200, 403, 200)),
    Case(
        "GET",
        "/api/v1/posts/{post_id}/versions/{before}/diff/{after}",
        P,
        (401, 403, 200, 403, 200),
    ),
    Case("POST", "/api/v1/posts/{post_id}/preview-links", D, (401, 404, 201, 403, 201), {}),
    Case("GET", "/api/v1/posts/{post_id}/preview-links", D, (401, 404, 200, 403, 200)),
    Case(
        "DELETE",
        "/api/v1/posts/{post_id}/preview-links/{link_id}",
        D,
        (401, 404, 204, 403, 204),
    ),
    Case("GET", "/api/v1/posts/{post}/comments", P, (200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/posts/{post}/comments", D, (404, 404, 200, 200, 200)),
    Case(
        "POST", "/api/v1/posts/{post}/comments", P, (401, 201, 201, 201, 201), {"content": "Hello"}
    ),
    Case(
        "POST", "/api/v1/posts/{post}/comments", D, (401, 404, 201, 201, 201), {"content": "Hello"}
    ),
    Case("GET", "/api/v1/posts/{post}/comments/pending", P, (401, 403, 200, 200, 200)),
    Case("GET", "/api/v1/comments/{comment_id}", "comment", (200, 200, 200, 200, 200)),
    Case(
        "PATCH",
        "/api/v1/comments/{comment_id}",
        "comment",
        (401, 403, 200, 403, 403),
        {"content": "Edited"},
    ),
    Case("DELETE", "/api/v1/comments/{comment_id}", "comment", (401, 403, 204, 204, 204)),
    Case("POST", "/api/v1/comments/{comment_id}/hide", "comment", (401, 403, 200, 200, 200)),
    Case("POST", "/api/v1/comments/{comment_id}/unhide", "comment", (401, 403, 200, 200, 200)),
    Case("POST", "/api/v1/comments/{comment_id}/approve", "comment", (401, 403, 200, 200, 200)),
    *[
        Case(m, f"/api/v1/posts/{{post}}/{what}", P, (401, 200, 200, 200, 200))
        for m in ("PUT", "DELETE")
        for what in ("like", "bookmark")
    ],
    *[
        Case(m, f"/api/v1/posts/{{post}}/{what}", D, (401, 404, 200, 200, 200))
        for m in ("PUT", "DELETE")
        for what in ("like", "bookmark")
    ],
    Case("POST", "/api/v1/posts/{post}/views", P, (200, 200, 200, 200, 200)),
    Case("POST", "/api/v1/posts/{post}/views", D, (404, 404, 200, 200, 200)),
    Case("GET", "/api/v1/posts/{post}/stats", P, (401, 403, 200, 403, 200)),
    Case("GET", "/api/v1/posts/{post}/stats", D, (401, 404, 200, 403, 200)),
    Case("GET", "/api/v1/tags/{slug}", "tag", (200, 200, 200, 200, 200)),
    # Media: the uploader or an admin; the files are public by their random names.
    Case("GET", "/api/v1/media/{media_id}", "media", (401, 404, 200, 404, 200)),
    Case("DELETE", "/api/v1/media/{media_id}", "media", (401, 403, 204, 403, 204)),
    *[
        Case(method, "/media/{name}", "file", (404, 404, 404, 404, 404))
        for method in ("GET", "HEAD")
    ],
    # Webhooks: admins only.
    *[
        Case(method, f"/api/v1/admin/webhooks/{{endpoint_id}}{path}", W, (401, 403, 403, 403, ok))
        for method, path, ok in [
            ("GET", "", 200),
            ("DELETE", "", 204),
            ("POST", "/rotate-secret", 200),
            ("GET", "/deliveries", 200),
            ("POST", "/test", 202),
            ("POST", "/deliveries/{delivery_id}/redeliver", 202),
        ]
    ],
    Case(
        "PATCH",
        "/api/v1/admin/webhooks/{endpoint_id}",
        W,
        (401, 403, 403, 403, 200),
        {"description": "Changed"},
    ),
    # Imports: admins only. Exports: their owner; site exports: admins. Archives still being
    # made answer 409.
    Case("GET", "/api/v1/admin/imports/{import_id}", "import", (401, 403, 403, 403, 200)),
    Case("GET", "/api/v1/exports/{export_id}", "export", (401, 404, 200, 404, 404)),
    Case("GET", "/api/v1/exports/{export_id}", "site_export", (401, 404, 404, 404, 200)),
    Case("GET", "/api/v1/exports/{export_id}/archive", "export", (401, 404, 409, 404, 404)),
    Case("GET", "/api/v1/exports/{export_id}/archive", "site_export", (401, 404, 404, 404, 409)),
    # The RealWorld API: the same rules through the second transport.
    Case("GET", "/api/profiles/{username}", "user", (200, 200, 200, 200, 200)),
    Case("POST", "/api/profiles/{username}/follow", "user", (401, 200, 422, 200, 200)),
    Case("DELETE", "/api/profiles/{username}/follow", "user", (401, 200, 200, 200, 200)),
    Case("GET", "/api/articles/{slug}", P, (200, 200, 200, 200, 200)),
    Case("GET", "/api/articles/{slug}", D, (404, 404, 200, 200, 200)),
    Case(
        "PUT",
        "/api/articles/{slug}",
        P,
        (401, 403, 200, 403, 200),
        {"article": {"title": "Changed"}},
    ),
    Case("DELETE", "/api/articles/{slug}", P, (401, 403, 204, 403, 204)),
    Case("POST", "/api/articles/{slug}/favorite", P, (401, 200, 200, 200, 200)),
    Case("DELETE", "/api/articles/{slug}/favorite", P, (401, 200, 200, 200, 200)),
    Case("GET", "/api/articles/{slug}/comments", P, (200, 200, 200, 200, 200)),
    Case(
        "POST",
        "/api/articles/{slug}/comments",
        P,
        (401, 201, 201, 201, 201),
        {"comment": {"body": "Hello"}},
    ),
    Case("DELETE", "/api/articles/{slug}/comments/{id}", P, (401, 403, 204, 204, 204)),
    *(
        Case("GET", f"/feeds/{scope}/{file}", target, (200, 200, 200, 200, 200))
        for scope, target in (("authors/{username}", "user"), ("tags/{slug}", "tag"))
        for file in ("rss.xml", "atom.xml", "feed.json")
    ),
    Case("GET", "/sitemaps/{number}.xml", P, (200, 200, 200, 200, 200)),
]


def _documented_routes() -> dict[tuple[str, str], set[str]]:
    schema = create_app(Settings(_env_file=None, database_url="postgresql://unused/db")).openapi()
    return {
        (method.upper(), path): set(op["responses"])
        for path, ops in schema["paths"].items()
        if "{" in path
        for method, op in ops.items()
    }


DOCUMENTED = _documented_routes()


def test_every_route_with_a_path_id_is_in_the_matrix() -> None:
    covered = {(case.method, case.path) for case in CASES}
    assert set(DOCUMENTED) - covered == set(), "add the new routes to CASES"
    assert covered - set(DOCUMENTED) == set(), "CASES names routes that no longer exist"


async def _world(session: AsyncSession, client: httpx.AsyncClient, state: AppState) -> World:
    users = {
        "owner": await create_user(session, username="matrix_owner"),
        "other": await create_user(session),
        "moderator": await create_user(session, role=Role.MODERATOR),
        "admin": await create_user(session, role=Role.ADMIN),
    }
    published = await create_post(session, users["owner"], tags=["matrix"])
    draft = await create_post(session, users["owner"], status="draft")
    comment = await create_comment(session, published, users["owner"])
    webhook = WebhookEndpoint(url="https://93.184.215.14/hook", event_types=["*"], secret="whsec_A")
    session.add(webhook)
    await session.flush()
    delivery = WebhookDelivery(
        endpoint_id=webhook.id,
        event_id=uuid.uuid4(),
        event_type="inkwell.webhook.test.v1",
        body="{}",
        status="failed",
        attempts=1,
        created_at=datetime.now(UTC),
    )
    session.add(delivery)
    notification = Notification(
        recipient_id=users["owner"].id,
        kind=NotificationKind.FOLLOW,
        event_id=uuid.uuid4(),
        actor_ids=[users["other"].id],
        actors_count=1,
    )
    session.add(notification)
    media = Media(
        owner_id=users["owner"].id,
        key="A" * 22,
        content_type="image/png",
        byte_size=100,
        status="ready",
        meta={"width": 10, "height": 10},
    )
    session.add(media)
    preview = PostPreviewLink(post_id=draft.id, token_hash="0" * 64, created_by=users["owner"].id)
    session.add(preview)
    api_key = ApiKey(
        user_id=users["owner"].id,
        name="matrix",
        prefix="ink_matrix00",
        secret_hash=b"k" * 32,
        scopes=["posts:read"],
    )
    session.add(api_key)
    imported = ImportJob(source="wordpress", file_name="import-x", created_by=users["admin"].id)
    export = ExportJob(kind="user", user_id=users["owner"].id)
    site_export = ExportJob(kind="site", user_id=users["admin"].id)
    session.add_all([imported, export, site_export])
    series = Series(owner_id=users["owner"].id, slug="matrix-series", title="Matrix")
    session.add(series)
    await session.commit()
    headers = {name: await signed_in_headers(state, user) for name, user in users.items()}
    sessions = (await client.get("/api/v1/auth/sessions", headers=headers["owner"])).json()
    owner = users["owner"]
    ids = {
        P: str(published.id),
        D: str(draft.id),
        "comment": str(comment.id),
        "session": sessions[0]["id"],
        "user": owner.username,
        "user_id": str(owner.id),
        "tag": "matrix",
        f"slug:{P}": published.slug,
        f"slug:{D}": draft.slug,
        "comment_number": str(comment.number),
        W: str(webhook.id),
        "delivery": str(delivery.id),
        "notification": str(notification.id),
        "media": str(media.id),
        "file": f"{media.key}.png",
        "preview_link": str(preview.id),
        "api_key": str(api_key.id),
        "import": str(imported.id),
        "export": str(export.id),
        "site_export": str(site_export.id),
        "series": str(series.id),
    }
    return World(users=users, headers={**headers, "anonymous": {}}, ids=ids)


def _url(case: Case, world: World) -> str:
    target = world.ids[case.target]
    # RealWorld names articles by slug and comments by their integer number.
    realworld = not case.path.startswith("/api/v1/")
    slug = world.ids[f"slug:{case.target}"] if realworld and case.target in (P, D) else target
    values = {
        "session_id": target,
        "key_id": target,
        "username": target,
        "user_id": world.ids["user_id"],
        "id_or_slug": target,
        "post_id": target,
        "post": target,
        "comment_id": target,
        "slug": slug,
        "number": "1",
        "before": "1",
        "after": "1",
        "link_id": world.ids["preview_link"],
        "id": world.ids["comment_number"],
        "endpoint_id": world.ids[W],
        "delivery_id": world.ids["delivery"],
        "notification_id": target,
        "media_id": target,
        "name": target,
        "import_id": target,
        "export_id": target,
    }
    return case.path.format(**values)


async def _snapshot(connection: AsyncConnection) -> dict[str, list[Any]]:
    tables: dict[str, list[Any]] = {}
    for table in Base.metadata.sorted_tables:
        rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))  # noqa: S608
        tables[table.name] = sorted(map(repr, rows.all()))
    return tables


def _label(case: Case) -> str:
    return f"{case.method} {case.path} [{case.target}]"


@pytest.mark.parametrize("case", CASES, ids=_label)
async def test_matrix(
    case: Case,
    client: httpx.AsyncClient,
    app_state: AppState,
    session: AsyncSession,
    connection: AsyncConnection,
) -> None:
    world = await _world(session, client, app_state)
    seen: dict[str, int] = {}
    for actor in ACTORS:
        savepoint = await connection.begin_nested()
        before = await _snapshot(connection)
        response = await client.request(
            case.method, _url(case, world), json=case.body, headers=world.headers[actor]
        )
        seen[actor] = response.status_code
        if response.status_code >= 400 and case.method != "GET":
            assert await _snapshot(connection) == before, f"{actor}'s refused write changed rows"
        await savepoint.rollback()
        assert str(response.status_code) in DOCUMENTED[(case.method, case.path)], (
            f"{actor} got undocumented {response.status_code}"
        )
    assert seen == dict(zip(ACTORS, case.expected, strict=True))
