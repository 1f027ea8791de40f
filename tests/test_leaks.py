"""The leak check itself: it must notice each kind of leak (or it proves nothing)."""

from __future__ import annotations

import json

import pytest

from tests.leaks import problems

JSON = "application/json"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuv"


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/v1/posts", json.dumps({"author": {"password_hash": "x"}}), JSON),
        ("/api/v1/posts", "$argon2id$v=19$m=19456", "text/plain"),
        ("/api/v1/users/bob", json.dumps({"username": "bob", "email": "b@example.com"}), JSON),
        ("/api/v1/posts", json.dumps({"items": [{"author": {"is_active": True}}]}), JSON),
        ("/api/v1/posts", json.dumps({"note": JWT}), JSON),
        ("/api/v1/users/me", json.dumps({"refresh_token": "abc"}), JSON),
        (
            "/api/v1/posts",
            '{"detail": "asyncpg.exceptions.UniqueViolationError"}',
            "application/problem+json",
        ),
        ("/api/v1/x", "Traceback (most recent call last):\n  File", "text/plain"),
    ],
)
def test_each_kind_of_leak_is_noticed(path: str, body: str, content_type: str) -> None:
    assert problems(path, body, content_type)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/users/me", json.dumps({"email": "me@example.com"})),
        ("/api/v1/auth/login", json.dumps({"access_token": JWT, "refresh_token": "r"})),
        ("/api/v1/admin/users/1", json.dumps({"email": "x@example.com", "is_active": False})),
        ("/api/v1/posts", json.dumps({"items": [], "total": 0})),
    ],
)
def test_allowed_responses_pass(path: str, body: str) -> None:
    assert problems(path, body, JSON) == []


def test_error_messages_keyed_by_field_are_not_values() -> None:
    body = json.dumps({"errors": {"password": ["can't be blank"], "email": ["is invalid"]}})
    assert problems("/api/users", body, JSON) == []
    assert problems("/api/users", json.dumps({"user": {"password": "hunter2"}}), JSON)


def test_an_api_key_is_noticed_outside_its_creation() -> None:
    key = "ink_" + "k" * 43
    body = json.dumps({"key": key})
    keys = "/api/v1/users/me/api-keys"
    assert problems(keys, body, JSON, "GET")
    assert problems("/api/v1/users/me", body, JSON, "PATCH")
    assert problems(keys, body, JSON, "POST") == []
    # A key the request itself carried may come back (a problem's `instance`).
    url = f"http://testserver/api/v1/posts/{key}"
    assert problems(f"/api/v1/posts/{key}", body, JSON, "GET", url) == []
