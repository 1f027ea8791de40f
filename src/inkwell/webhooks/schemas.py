"""Request and response models of the webhooks admin API."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, WithJsonSchema, model_validator

from inkwell.core.schemas import NOT_NULL, InputModel, OutputModel, UTCDateTime
from inkwell.events.catalogue import CATALOGUE

ALL_TYPES = "*"


def _known_types(types: list[str]) -> list[str]:
    unknown = [name for name in types if name != ALL_TYPES and name not in CATALOGUE]
    if unknown:
        raise ValueError(
            f"unknown event types: {', '.join(unknown)} (see /asyncapi.json, or use '*' for all)"
        )
    return list(dict.fromkeys(types))


# The document names every allowed value, so a client (or a fuzzer) knows them; the validator
# gives the 422 its message.
EventType = Annotated[
    str,
    Field(max_length=200),
    WithJsonSchema({"type": "string", "enum": [ALL_TYPES, *CATALOGUE]}),
]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(CATALOGUE) + 1,
        description="Event types (e.g. inkwell.post.published.v1), or '*' for every type.",
    ),
    AfterValidator(_known_types),
]
Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="An https URL whose host resolves only to public addresses.",
    ),
]
Description = Annotated[str, Field(max_length=500)]


class EndpointCreate(InputModel):
    url: Url
    event_types: EventTypes
    description: Description = ""
    enabled: StrictBool = True


class EndpointUpdate(InputModel):
    """The fields to change; enabling an endpoint clears why it was disabled."""

    url: Annotated[Url | None, NOT_NULL] = None
    event_types: Annotated[EventTypes | None, NOT_NULL] = None
    description: Annotated[Description | None, NOT_NULL] = None
    enabled: Annotated[StrictBool | None, NOT_NULL] = None

    @model_validator(mode="after")
    def _not_null(self) -> EndpointUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EndpointView(OutputModel):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why the endpoint was disabled (by an admin, or after 3 days of failures)."
    )
    disabled_at: UTCDateTime | None
    failing_since: UTCDateTime | None = Field(
        description="The first failed attempt since the last successful one."
    )
    created_at: UTCDateTime
    updated_at: UTCDateTime


class EndpointList(OutputModel):
    items: list[EndpointView]


class EndpointCreated(EndpointView):
    secret: str = Field(description="The signing secret (whsec_...): shown only now.")


class SecretView(OutputModel):
    secret: str = Field(description="The new signing secret (whsec_...): shown only now.")


class AttemptView(OutputModel):
    number: int
    attempted_at: UTCDateTime
    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    response_excerpt: str | None = Field(description="At most 1 KiB of the response body.")
    next_attempt_at: UTCDateTime | None


class DeliveryView(OutputModel):
    id: uuid.UUID
    event_id: uuid.UUID = Field(description="The webhook-id header: receivers deduplicate on it.")
    event_type: str
    status: str = Field(description="pending, succeeded or failed")
    attempt_count: int
    next_attempt_at: UTCDateTime | None
    created_at: UTCDateTime
    attempts: list[AttemptView] = Field(description="Every attempt, newest first.")


class DeliveryPage(OutputModel):
    items: list[DeliveryView]
    next_cursor: uuid.UUID | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )
