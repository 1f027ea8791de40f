"""Translating RealWorld input into service input."""

from __future__ import annotations

import pytest
from fastapi.exceptions import RequestValidationError

from inkwell.posts.schemas import PostCreate
from inkwell.realworld.errors import _field_name
from inkwell.realworld.translate import to_domain


def test_a_refusal_of_the_service_model_is_a_request_validation_error() -> None:
    with pytest.raises(RequestValidationError) as refused:
        to_domain(PostCreate, {"title": "t"})
    assert {error["loc"] for error in refused.value.errors()} == {("body", "content_raw")}
    assert to_domain(PostCreate, {"title": "t", "content_raw": "c"}).title == "t"


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("user.email", "email"),
        ("article.tagList.0", "tagList"),
        ("content_raw", "body"),
        ("summary", "description"),
        ("new_password", "password"),
        ("", "body"),
        ("12", "body"),
        ("user", "user"),
    ],
)
def test_field_names_are_the_contracts(field: str, name: str) -> None:
    assert _field_name(field) == name
