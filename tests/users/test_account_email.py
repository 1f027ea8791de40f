"""Account e-mail through the API: verification links, password reset, change of address,
and registration that tells nobody whether an address has an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.state import AppState
from inkwell.events.catalogue import UserEmailVerified, UserUpdated
from inkwell.models.user import User
from tests.conftest import api_client
from tests.events.support import last_position, the_event, types_since
from tests.factories import (
    DEFAULT_PASSWORD,
    create_user,
    login,
    signed_in_headers,
)
from tests.mail.support import link_token, queued_mail, run_reset_jobs

API = "/api/v1"
VERIFY = f"{API}/auth/verify-email"
RESEND = f"{API}/auth/verify-email/resend"
RESET = f"{API}/auth/password-reset"
CONFIRM = f"{API}/auth/password-reset/confirm"
NEW_PASSWORD = "a brand new passphrase"


def _account(**overrides: str) -> dict[str, str]:
    return {
        "email": "new@example.com",
        "username": "newbie",
        "password": DEFAULT_PASSWORD,
        **overrides,
    }


def _later(monkeypatch: pytest.MonkeyPatch, **delta: float) -> None:
    """Move the clock the link tokens are checked against forward."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr("inkwell.users.mailing.utcnow", lambda: moved)


def _code(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["code"]


async def _subjects(session: AsyncSession, to: str) -> list[str]:
    return [mail.subject for mail in await queued_mail(session, to)]


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"{API}/users/me", headers=headers)
    assert response.status_code == 200, response.text
    me: dict[str, Any] = response.json()
    return me


async def test_registration_mails_a_link_that_verifies_the_address_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    registered = await client.post(f"{API}/auth/register", json=_account())
    assert registered.status_code == 201, registered.text
    assert registered.json()["email_verified_at"] is None
    assert await _subjects(session, "new@example.com") == ["Confirm your e-mail address"]
    token = await link_token(session, "new@example.com")
    start = await last_position(session)

    assert (await client.post(VERIFY, json={"token": token})).status_code == 204
    again = await client.post(VERIFY, json={"token": token})

    assert again.status_code == 400
    assert _code(again) == "link_used"
    headers = {"Authorization": f"Bearer {(await login(client, 'newbie'))['access_token']}"}
    assert (await _me(client, headers))["email_verified_at"] is not None
    user_id = registered.json()["id"]
    assert isinstance(
        await the_event(session, UserEmailVerified, start, user_id), UserEmailVerified
    )


async def test_an_expired_verification_link_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.post(f"{API}/auth/register", json=_account())
    token = await link_token(session, "new@example.com")
    _later(monkeypatch, hours=48, minutes=1)

    expired = await client.post(VERIFY, json={"token": token})

    assert expired.status_code == 400
    assert _code(expired) == "link_expired"


async def test_altered_unknown_and_misused_tokens_are_refused(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await client.post(f"{API}/auth/register", json=_account())
    token = await link_token(session, "new@example.com")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    await client.post(RESET, json={"email": "new@example.com"})
    await run_reset_jobs(session, app_state.settings)
    reset_token = await link_token(session, "new@example.com")

    for sent in (altered, "x" * 43, reset_token):
        refused = await client.post(VERIFY, json={"token": sent})
        assert refused.status_code == 400, refused.text
        assert _code(refused) == "link_invalid"
    misused = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert _code(misused) == "link_invalid"
    assert (await client.post(VERIFY, json={"token": "short"})).status_code == 422
    assert (await client.post(VERIFY, json={})).status_code == 422
    assert (await client.post(VERIFY, json={"token": token})).status_code == 204


async def test_resending_replaces_the_link_and_is_limited(
    app_state: AppState, session: AsyncSession
) -> None:
    app_state.settings = app_state.settings.model_copy(
        update={"rate_limit_verification_mail_per_user": 2}
    )
    user = await create_user(session, username="ann")
    headers = await signed_in_headers(app_state, user)
    async with api_client(app_state) as client:
        assert (await client.post(RESEND)).status_code == 401
        assert (await client.post(RESEND, headers=headers)).status_code == 202
        first = await link_token(session, user.email)
        assert (await client.post(RESEND, headers=headers)).status_code == 202
        second = await link_token(session, user.email)
        limited = await client.post(RESEND, headers=headers)
        assert limited.status_code == 429
        assert "retry-after" in limited.headers

        assert _code(await client.post(VERIFY, json={"token": first})) == "link_used"
        assert (await client.post(VERIFY, json={"token": second})).status_code == 204


async def test_resending_to_a_verified_address_is_a_conflict(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann")
    headers = await signed_in_headers(app_state, user)
    await client.post(RESEND, headers=headers)
    await client.post(VERIFY, json={"token": await link_token(session, user.email)})

    again = await client.post(RESEND, headers=headers)

    assert again.status_code == 409
    assert _code(again) == "email_already_verified"


async def test_a_reset_answers_alike_for_known_and_unknown_addresses(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, username="ann", email="ann@example.com")

    known = await client.post(RESET, json={"email": "ann@example.com"})
    unknown = await client.post(RESET, json={"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert await run_reset_jobs(session, app_state.settings) == 1  # the known address only
    assert await _subjects(session, "ann@example.com") == ["Reset your password"]
    assert await queued_mail(session, "nobody@example.com") == []


async def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann", email="ann@example.com")
    headers = await signed_in_headers(app_state, user)
    refresh = (await login(client, "ann"))["refresh_token"]
    await client.post(RESET, json={"email": "ANN@example.com"})
    await run_reset_jobs(session, app_state.settings)
    token = await link_token(session, "ann@example.com")
    start = await last_position(session)

    weak = await client.post(CONFIRM, json={"token": token, "new_password": "password123"})
    assert weak.status_code == 422, weak.text  # the registration rules; the link still works
    done = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text

    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 401
    refused = await client.post(f"{API}/auth/refresh", json={"refresh_token": refresh})
    assert refused.status_code == 401
    assert (
        await client.post(f"{API}/auth/login", json={"login": "ann", "password": DEFAULT_PASSWORD})
    ).status_code == 401
    fresh = await login(client, "ann", NEW_PASSWORD)
    me = await _me(client, {"Authorization": f"Bearer {fresh['access_token']}"})
    assert me["email_verified_at"] is not None  # the link proved the address too
    again = await client.post(CONFIRM, json={"token": token, "new_password": "yet another phrase"})
    assert _code(again) == "link_used"
    event = await the_event(session, UserUpdated, start, user.id)
    assert event.changed == ["password"]


async def test_a_reset_link_expires_after_thirty_minutes(
    app_state: AppState,
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_user(session, username="ann", email="ann@example.com")
    await client.post(RESET, json={"email": "ann@example.com"})
    await run_reset_jobs(session, app_state.settings)
    token = await link_token(session, "ann@example.com")
    _later(monkeypatch, minutes=31)

    expired = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})

    assert expired.status_code == 400
    assert _code(expired) == "link_expired"
    await login(client, "ann")  # the password is unchanged


async def test_resets_are_limited_per_address_and_per_client(
    app_state: AppState, session: AsyncSession
) -> None:
    app_state.settings = app_state.settings.model_copy(
        update={"rate_limit_password_reset_per_address": 2, "rate_limit_password_reset_per_ip": 4}
    )
    async with api_client(app_state) as client:
        for _ in range(2):
            assert (await client.post(RESET, json={"email": "x@example.com"})).status_code == 202
        assert (await client.post(RESET, json={"email": "x@example.com"})).status_code == 429
        # The refused try counted against the client (per IP), not the address.
        assert (await client.post(RESET, json={"email": "y@example.com"})).status_code == 202
        assert (await client.post(RESET, json={"email": "z@example.com"})).status_code == 429


async def test_a_new_address_takes_effect_once_its_link_is_followed(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann", email="ann@example.com")
    headers = await signed_in_headers(app_state, user)

    changed = await client.patch(
        f"{API}/users/me", json={"email": "Ann@New.example.com"}, headers=headers
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "ann@example.com"
    assert await _subjects(session, "ann@new.example.com") == ["Confirm your new e-mail address"]
    assert await queued_mail(session, "ann@example.com") == []
    start = await last_position(session)
    token = await link_token(session, "ann@new.example.com")
    assert (await client.post(VERIFY, json={"token": token})).status_code == 204

    me = await _me(client, headers)
    assert me["email"] == "ann@new.example.com"
    assert me["email_verified_at"] is not None
    assert await _subjects(session, "ann@example.com") == ["Your e-mail address was changed"]
    assert (await the_event(session, UserUpdated, start, user.id)).changed == ["email"]
    await the_event(session, UserEmailVerified, start, user.id)


async def test_a_taken_new_address_is_refused_or_silently_dropped(
    app_state: AppState, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann")
    await create_user(session, username="bob", email="bob@example.com")
    headers = await signed_in_headers(app_state, user)
    change = {"email": "bob@example.com"}
    async with api_client(app_state) as client:
        refused = await client.patch(f"{API}/users/me", json=change, headers=headers)
        assert refused.status_code == 409
    app_state.settings = app_state.settings.model_copy(update={"mail_delivered": True})
    async with api_client(app_state) as client:
        quiet = await client.patch(f"{API}/users/me", json=change, headers=headers)
        assert quiet.status_code == 200
    assert await queued_mail(session, "bob@example.com") == []


async def test_a_change_link_fails_when_the_address_was_taken_meanwhile(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann")
    headers = await signed_in_headers(app_state, user)
    await client.patch(f"{API}/users/me", json={"email": "new@example.com"}, headers=headers)
    token = await link_token(session, "new@example.com")
    await client.post(f"{API}/auth/register", json=_account())

    taken = await client.post(VERIFY, json={"token": token})

    assert taken.status_code == 409
    assert (await _me(client, headers))["email"] == user.email


async def test_with_mail_delivered_registration_tells_nobody_who_has_an_account(
    app_state: AppState, session: AsyncSession
) -> None:
    owner = await create_user(session, username="ann", email="ann@example.com")
    app_state.settings = app_state.settings.model_copy(update={"mail_delivered": True})
    async with api_client(app_state) as client:
        new = await client.post(f"{API}/auth/register", json=_account())
        taken = await client.post(
            f"{API}/auth/register", json=_account(email="ann@example.com", username="annie")
        )
        username_taken = await client.post(
            f"{API}/auth/register", json=_account(email="x@example.com", username="ANN")
        )

    assert new.status_code == taken.status_code == 202
    assert new.json() == taken.json()
    assert new.json()["status"] == "check_your_email"
    assert await _subjects(session, "new@example.com") == ["Confirm your e-mail address"]
    assert await _subjects(session, "ann@example.com") == [
        "Someone tried to register with your address"
    ]
    assert await session.get(User, owner.id) is not None
    assert username_taken.status_code == 409  # usernames are public anyway
    assert username_taken.json()["errors"][0]["field"] == "username"


async def test_the_realworld_api_keeps_its_409(app_state: AppState, session: AsyncSession) -> None:
    await create_user(session, username="ann", email="ann@example.com")
    app_state.settings = app_state.settings.model_copy(update={"mail_delivered": True})
    user = {"email": "ann@example.com", "username": "annie", "password": DEFAULT_PASSWORD}
    async with api_client(app_state) as client:
        taken = await client.post("/api/users", json={"user": user})
    assert taken.status_code == 409


async def test_a_realworld_change_of_address_is_immediate_and_unverified(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann", email="ann@example.com")
    headers = await signed_in_headers(app_state, user)
    await client.post(RESEND, headers=headers)
    await client.post(VERIFY, json={"token": await link_token(session, "ann@example.com")})
    token = (
        await client.post(
            "/api/users/login",
            json={"user": {"email": "ann@example.com", "password": DEFAULT_PASSWORD}},
        )
    ).json()["user"]["token"]

    changed = await client.put(
        "/api/user",
        json={"user": {"email": "ann@new.example.com"}},
        headers={"Authorization": f"Token {token}"},
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["user"]["email"] == "ann@new.example.com"
    me = await _me(client, headers)
    assert me["email_verified_at"] is None
    assert await _subjects(session, "ann@new.example.com") == ["Confirm your e-mail address"]
    assert "Your e-mail address was changed" in await _subjects(session, "ann@example.com")


async def test_links_stop_working_when_the_address_changes_under_them(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann", email="ann@example.com")
    headers = await signed_in_headers(app_state, user)
    await client.post(RESEND, headers=headers)
    verify = await link_token(session, "ann@example.com")
    await client.post(RESET, json={"email": "ann@example.com"})
    await run_reset_jobs(session, app_state.settings)
    reset = await link_token(session, "ann@example.com")
    await client.patch(f"{API}/users/me", json={"email": "ann@new.example.com"}, headers=headers)
    change = await link_token(session, "ann@new.example.com")
    assert (await client.post(VERIFY, json={"token": change})).status_code == 204

    refused = await client.post(VERIFY, json={"token": verify})  # mailed to the old address
    assert _code(refused) == "link_invalid"
    gone = await client.post(CONFIRM, json={"token": reset, "new_password": NEW_PASSWORD})
    assert _code(gone) == "link_invalid"


async def test_a_reset_link_of_a_disabled_account_is_refused(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="ann", email="ann@example.com")
    await client.post(RESET, json={"email": "ann@example.com"})
    await run_reset_jobs(session, app_state.settings)
    token = await link_token(session, "ann@example.com")
    user.is_active = False
    await session.commit()

    refused = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})

    assert _code(refused) == "link_invalid"
    await client.post(RESET, json={"email": "ann@example.com"})
    await run_reset_jobs(session, app_state.settings)
    assert len(await queued_mail(session, "ann@example.com")) == 1  # none for a disabled one


async def test_a_verification_link_after_a_reset_verified_the_address_changes_nothing(
    app_state: AppState, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await client.post(f"{API}/auth/register", json=_account())
    verify = await link_token(session, "new@example.com")
    await client.post(RESET, json={"email": "new@example.com"})
    await run_reset_jobs(session, app_state.settings)
    reset = await link_token(session, "new@example.com")
    await client.post(CONFIRM, json={"token": reset, "new_password": NEW_PASSWORD})
    start = await last_position(session)

    assert (await client.post(VERIFY, json={"token": verify})).status_code == 204
    assert await types_since(session, start) == []
