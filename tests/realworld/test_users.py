"""RealWorld authentication, registration, the current user, profiles and follows."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from tests.conftest import make_settings
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.realworld.conftest import Conduit, errors_of, sign_in
from tests.realworld.contract import Contract

NEW_USER = {"username": "Jacob", "email": "jake@jake.jake", "password": "jakejake-dragons"}


async def register(api: httpx.AsyncClient, **fields: str) -> httpx.Response:
    return await api.post("/api/users", json={"user": {**NEW_USER, **fields}})


# Registration and login


async def test_register_answers_the_user_with_a_working_token(api: httpx.AsyncClient) -> None:
    response = await register(api)
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    user = response.json()["user"]
    assert user | {"token": "t"} == {
        "email": "jake@jake.jake",
        "token": "t",
        "username": "Jacob",
        "bio": None,
        "image": None,
    }
    me = await api.get("/api/user", headers={"Authorization": f"Token {user['token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "Jacob"
    # The account is an Inkwell account: /api/v1 signs it in too.
    v1 = await api.post(
        "/api/v1/auth/login", json={"login": "jacob", "password": NEW_USER["password"]}
    )
    assert v1.status_code == 200


async def test_register_refuses_missing_and_invalid_fields(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/users", json={"user": {"username": "jacob"}})
    assert response.status_code == 422
    assert errors_of(response) == {"email": ["can't be blank"], "password": ["can't be blank"]}
    response = await register(api, email="not-an-email")
    assert response.status_code == 422
    assert list(errors_of(response)) == ["email"]
    response = await register(api, password="short")
    assert list(errors_of(response)) == ["password"]
    response = await register(api, password="password123")  # too common
    assert response.status_code == 422
    assert list(errors_of(response)) == ["password"]
    response = await api.post("/api/users", json={})
    assert errors_of(response) == {"user": ["can't be blank"]}


@pytest.mark.parametrize(
    ("suite_settings", "statuses"),
    [(False, [422, 201, 429, 429]), (True, [201, 201, 201, 201])],
)
async def test_the_settings_the_official_suite_needs(
    api: httpx.AsyncClient,
    app_state: AppState,
    contract: Contract,
    suite_settings: bool,
    statuses: list[int],
) -> None:
    """By default `password123` is refused and registrations are throttled; the suite runs
    with both turned off (services read the settings at each request)."""
    app_state.settings = make_settings(
        app_state.settings.database_url or "",
        rate_limit_register_per_ip=2,
        rate_limit_enabled=not suite_settings,
        password_reject_common=not suite_settings,
    )
    passwords = ["password123"] + [NEW_USER["password"]] * 3
    with contract.allowing(429):  # the contract lists no 429
        answers = [
            await register(api, username=f"suite_{n}", email=f"suite_{n}@test.com", password=p)
            for n, p in enumerate(passwords)
        ]
    assert [answer.status_code for answer in answers] == statuses


async def test_register_refuses_a_taken_username_or_email_with_409(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    response = await register(api, username="JAKE")
    assert response.status_code == 409
    assert errors_of(response) == {"username": ["has already been taken"]}
    response = await register(api, email=jake.user.email)
    assert response.status_code == 409
    assert errors_of(response) == {"email": ["has already been taken"]}


async def test_login_answers_the_user(api: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session, username="jake")
    response = await api.post(
        "/api/users/login", json={"user": {"email": user.email, "password": DEFAULT_PASSWORD}}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["user"]["email"] == user.email


async def test_login_refuses_wrong_credentials_alike(api: httpx.AsyncClient, jake: Conduit) -> None:
    wrong = await api.post(
        "/api/users/login", json={"user": {"email": jake.user.email, "password": "nope-nope"}}
    )
    unknown = await api.post(
        "/api/users/login", json={"user": {"email": "who@example.com", "password": "nope-nope"}}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert errors_of(wrong) == errors_of(unknown) == {"credentials": ["invalid"]}
    missing = await api.post("/api/users/login", json={"user": {"email": jake.user.email}})
    assert missing.status_code == 422
    assert errors_of(missing) == {"password": ["can't be blank"]}


@pytest.mark.parametrize(
    "user", [{"email": "a\u0000b", "password": "x"}, {"email": "a@b.c", "password": "a\u0000b"}]
)
async def test_login_with_a_nul_character_is_422(
    api: httpx.AsyncClient, user: dict[str, str]
) -> None:
    response = await api.post("/api/users/login", json={"user": user})
    assert response.status_code == 422, response.text
    assert list(errors_of(response)) == [next(k for k, v in user.items() if "\x00" in v)]


async def test_a_password_with_a_nul_character_is_refused_everywhere(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    password = "nul\x00in the middle"
    registered = await register(api, password=password)
    changed = await api.put(
        "/api/user", json={"user": {"password": password}}, headers=jake.headers
    )
    for response in (registered, changed):
        assert response.status_code == 422, response.text
        assert list(errors_of(response)) == ["password"]
    v1 = await api.post(
        "/api/v1/users/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": password},
        headers=await jake.v1(),
    )
    assert v1.status_code == 422


# The current user


async def test_current_user_needs_a_valid_token(api: httpx.AsyncClient, jake: Conduit) -> None:
    missing = await api.get("/api/user")
    assert missing.status_code == 401
    assert errors_of(missing) == {"token": ["is missing"]}
    for header in ("Token nonsense", "Basic abc", "Token ", "Bearer"):
        invalid = await api.get("/api/user", headers={"Authorization": header})
        assert invalid.status_code == 401, header
        assert errors_of(invalid) == {"token": ["is invalid"]}
    bearer = await api.get("/api/user", headers={"Authorization": f"Bearer {jake.token}"})
    assert bearer.status_code == 200
    own = await api.get("/api/user", headers=jake.headers)
    assert own.json()["user"]["token"] == jake.token


async def test_update_user_changes_the_fields_sent(api: httpx.AsyncClient, jake: Conduit) -> None:
    changes = {
        "email": "Jake@Example.org",
        "bio": "I like to skateboard",
        "image": "https://i.stack.imgur.com/xHWG8.jpg",
        "username": "jake2",
        "token": "ignored: unknown fields change nothing",
    }
    response = await api.put("/api/user", json={"user": changes}, headers=jake.headers)
    assert response.status_code == 200
    assert response.json()["user"] == {
        "email": "jake@example.org",
        "token": jake.token,
        "username": "jake2",
        "bio": "I like to skateboard",
        "image": "https://i.stack.imgur.com/xHWG8.jpg",
    }
    v1 = await api.get("/api/v1/users/jake2")
    assert v1.json()["avatar_url"] == "https://i.stack.imgur.com/xHWG8.jpg"


@pytest.mark.parametrize("field", ["bio", "image"])
@pytest.mark.parametrize("empty", ["", None])
async def test_an_empty_bio_or_image_is_none(
    api: httpx.AsyncClient, jake: Conduit, field: str, empty: str | None
) -> None:
    """Settings forms send "" for a field left empty: it is stored and answered as null."""
    value = {"bio": "I like to skateboard", "image": "https://example.com/jake.jpg"}[field]
    await api.put("/api/user", json={"user": {field: value}}, headers=jake.headers)
    cleared = await api.put("/api/user", json={"user": {field: empty}}, headers=jake.headers)
    assert cleared.status_code == 200
    assert cleared.json()["user"][field] is None
    assert (await api.get("/api/user", headers=jake.headers)).json()["user"][field] is None
    assert (await api.get("/api/profiles/jake")).json()["profile"][field] is None


async def test_blank_fields_are_cant_be_blank(api: httpx.AsyncClient, jake: Conduit) -> None:
    for field in ("username", "email", "password"):
        response = await register(api, **{field: ""})
        assert response.status_code == 422, field
        assert errors_of(response) == {field: ["can't be blank"]}
    for field in ("email", "password"):
        user = {"email": jake.user.email, "password": DEFAULT_PASSWORD, field: ""}
        response = await api.post("/api/users/login", json={"user": user})
        assert response.status_code == 422, field
        assert errors_of(response) == {field: ["can't be blank"]}
    for field in ("username", "email", "password"):
        for empty in ("", None):
            response = await api.put(
                "/api/user", json={"user": {field: empty}}, headers=jake.headers
            )
            assert response.status_code == 422, (field, empty)
            assert errors_of(response) == {field: ["can't be blank"]}


async def test_v1_answers_blank_fields_its_own_way(api: httpx.AsyncClient, jake: Conduit) -> None:
    """The same blank fields in /api/v1: problem documents with /api/v1's own messages."""
    account = {"username": "jacob", "email": "jacob@example.com", "password": DEFAULT_PASSWORD}
    for field in ("username", "email", "password"):
        response = await api.post("/api/v1/auth/register", json={**account, field: ""})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        errors = response.json()["errors"]
        assert [error["field"] for error in errors] == [field]
        assert "blank" not in errors[0]["message"]
    wrong = await api.post(
        "/api/v1/auth/login", json={"login": jake.user.email, "password": "wrong password"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    headers = await jake.v1()
    for field in ("username", "email"):
        response = await api.patch("/api/v1/users/me", json={field: ""}, headers=headers)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


async def test_update_user_refuses_invalid_and_taken_values_with_422(
    api: httpx.AsyncClient, jake: Conduit, jane: Conduit
) -> None:
    taken = await api.put("/api/user", json={"user": {"username": "Jane"}}, headers=jake.headers)
    assert taken.status_code == 422
    assert errors_of(taken) == {"username": ["has already been taken"]}
    for field, value in (("email", "nope"), ("image", "not a url"), ("username", None)):
        bad = await api.put("/api/user", json={"user": {field: value}}, headers=jake.headers)
        assert bad.status_code == 422, field
        assert list(errors_of(bad)) == [field]
    for password in ("jake", "short7c", "password123"):
        weak = await api.put(
            "/api/user", json={"user": {"password": password}}, headers=jake.headers
        )
        assert weak.status_code == 422, password
        assert list(errors_of(weak)) == ["password"]
    anonymous = await api.put("/api/user", json={"user": {"bio": "x"}})
    assert anonymous.status_code == 401


async def test_password_change_keeps_this_session_and_ends_the_others(
    api: httpx.AsyncClient, jake: Conduit
) -> None:
    other = await sign_in(api, jake)
    new_password = "a brand new passphrase"
    response = await api.put(
        "/api/user", json={"user": {"password": new_password}}, headers=jake.headers
    )
    assert response.status_code == 200
    assert (await api.get("/api/user", headers=jake.headers)).status_code == 200
    assert (await api.get("/api/user", headers=other.headers)).status_code == 401
    old = await api.post(
        "/api/users/login", json={"user": {"email": jake.user.email, "password": DEFAULT_PASSWORD}}
    )
    assert old.status_code == 401
    await sign_in(api, jake, new_password)


# Profiles and follows


async def test_profile_for_anyone(api: httpx.AsyncClient, jake: Conduit) -> None:
    response = await api.get("/api/profiles/jake")
    assert response.status_code == 200
    assert response.json() == {
        "profile": {"username": "jake", "bio": None, "image": None, "following": False}
    }
    missing = await api.get("/api/profiles/nobody")
    assert missing.status_code == 404
    assert errors_of(missing) == {"profile": ["not found"]}
    bad_token = await api.get("/api/profiles/jake", headers={"Authorization": "Token x"})
    assert bad_token.status_code == 401


async def test_follow_and_unfollow(api: httpx.AsyncClient, jake: Conduit, jane: Conduit) -> None:
    followed = await api.post("/api/profiles/jane/follow", headers=jake.headers)
    assert followed.status_code == 200
    assert followed.json()["profile"]["following"] is True
    again = await api.post("/api/profiles/JANE/follow", headers=jake.headers)
    assert again.json()["profile"]["following"] is True
    seen = await api.get("/api/profiles/jane", headers=jake.headers)
    assert seen.json()["profile"]["following"] is True
    v1 = await api.get("/api/v1/users/jane", headers=await jake.v1())
    assert v1.json()["followers_count"] == 1
    assert v1.json()["followed_by_me"] is True
    unfollowed = await api.delete("/api/profiles/jane/follow", headers=jake.headers)
    assert unfollowed.status_code == 200
    assert unfollowed.json()["profile"]["following"] is False


@pytest.mark.parametrize("method", ["post", "delete"])
async def test_follow_needs_a_token_before_anything_else(
    api: httpx.AsyncClient, method: str
) -> None:
    response = await api.request(method.upper(), "/api/profiles/nobody/follow")
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is missing"]}


async def test_follow_refusals(api: httpx.AsyncClient, jake: Conduit) -> None:
    missing = await api.post("/api/profiles/nobody/follow", headers=jake.headers)
    assert missing.status_code == 404
    assert errors_of(missing) == {"profile": ["not found"]}
    gone = await api.delete("/api/profiles/nobody/follow", headers=jake.headers)
    assert gone.status_code == 404
    itself = await api.post("/api/profiles/jake/follow", headers=jake.headers)
    assert itself.status_code == 422
    assert list(errors_of(itself)) == ["username"]
