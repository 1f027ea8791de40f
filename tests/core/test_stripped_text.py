"""Text fields that strip surrounding whitespace count their maximum length as sent.

The OpenAPI document's `maxLength` counts the text a client sends, so the app does too; the
stored value is then stripped, and a value that is only whitespace is still refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from inkwell.core.config import Settings
from inkwell.main import create_app
from inkwell.posts.schemas import PostCreate
from inkwell.realworld.schemas import ConduitNewArticle
from inkwell.users.schemas import ProfileUpdate

SCHEMAS = create_app(Settings(_env_file=None, database_url="postgresql://unused/db")).openapi()[
    "components"
]["schemas"]
BASE = {
    PostCreate: {"title": "t", "content_raw": "c"},
    ProfileUpdate: {},
    ConduitNewArticle: {"title": "t", "description": "d", "body": "b"},
}
# (model, field, maximum length, whether the value is one item of a list)
FIELDS = [
    (PostCreate, "title", 200, False),
    (PostCreate, "summary", 500, False),
    (PostCreate, "tags", 50, True),
    (ProfileUpdate, "display_name", 100, False),
    (ConduitNewArticle, "description", 500, False),
]


def _validate(model: type[BaseModel], field: str, value: str, in_list: bool) -> Any:
    body = {**BASE[model], field: [value] if in_list else value}
    return getattr(model.model_validate(body), field)


def _document_max_length(model: type[BaseModel], field: str, in_list: bool) -> int:
    properties = SCHEMAS[model.__name__]["properties"]
    schema = properties.get(field) or properties[field.replace("_", "")]
    options = [schema, *schema.get("anyOf", [])]
    text = next(option for option in options if option.get("type") in ("string", "array"))
    return int((text["items"] if in_list else text)["maxLength"])


@pytest.mark.parametrize(("model", "field", "limit", "in_list"), FIELDS)
def test_text_one_character_over_the_limit_as_sent_is_refused(
    model: type[BaseModel], field: str, limit: int, in_list: bool
) -> None:
    """One character over the limit, of which one is surrounding whitespace."""
    for value in ("x" * limit + " ", " " + "x" * limit, " " + "x" * (limit - 1) + "\n"):
        with pytest.raises(ValidationError) as error:
            _validate(model, field, value, in_list)
        assert error.value.errors()[0]["type"] == "string_too_long"


@pytest.mark.parametrize(("model", "field", "limit", "in_list"), FIELDS)
def test_text_at_the_limit_as_sent_is_accepted_and_stripped(
    model: type[BaseModel], field: str, limit: int, in_list: bool
) -> None:
    value = " " + "x" * (limit - 2) + " "
    stored = _validate(model, field, value, in_list)
    assert stored == (["x" * (limit - 2)] if in_list else "x" * (limit - 2))
    assert _validate(model, field, "x" * limit, in_list) == (
        ["x" * limit] if in_list else "x" * limit
    )


@pytest.mark.parametrize(("model", "field", "limit", "in_list"), FIELDS)
def test_the_document_states_the_same_limit(
    model: type[BaseModel], field: str, limit: int, in_list: bool
) -> None:
    assert _document_max_length(model, field, in_list) == limit


@pytest.mark.parametrize(
    ("model", "field", "in_list"),
    [
        (PostCreate, "title", False),
        (PostCreate, "tags", True),
        (ProfileUpdate, "display_name", False),
        (ConduitNewArticle, "description", False),
    ],
)
def test_text_that_is_only_whitespace_is_too_short(
    model: type[BaseModel], field: str, in_list: bool
) -> None:
    for value in ("", "   ", "\t\n"):
        with pytest.raises(ValidationError) as error:
            _validate(model, field, value, in_list)
        details = error.value.errors()[0]
        assert (details["type"], details["msg"]) == (
            "string_too_short",
            "String should have at least 1 character",
        )


def test_a_summary_of_whitespace_is_stored_empty() -> None:
    assert _validate(PostCreate, "summary", "   ", False) == ""
