"""The CloudEvents 1.0 envelope (JSON format) and the base of every event's data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

TYPE_PREFIX = "inkwell"


class EventData(BaseModel):
    """The `data` of one event type. Each subclass names its type, its topic and its key field;
    the version is part of the type (`inkwell.post.published.v1`): a change a consumer could
    trip over is a new class with the next version, never an edit of this one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str]  # e.g. "post.published"
    version: ClassVar[int] = 1
    topic: ClassVar[str]  # the topic's name after the prefix, e.g. "posts"
    key_field: ClassVar[str]  # the field whose value is the subject and the Kafka key

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}.{cls.name}.v{cls.version}"

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event as JSON (structured mode): what the outbox stores and relays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(description="A UUIDv7, unique per event: receivers deduplicate on it.")
    source: str = Field(min_length=1, description="The producing service (a URI reference).")
    type: str = Field(pattern=r"^inkwell\.[a-z_]+\.[a-z_]+\.v[0-9]+$")
    subject: str = Field(min_length=1, description="The aggregate's id, also the Kafka key.")
    time: AwareDatetime = Field(description="When the change happened, in UTC.")
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        if value.utcoffset() != timedelta(0):
            raise ValueError("must be in UTC")
        return value.astimezone(UTC)
