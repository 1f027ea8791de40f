"""Request and response models of live updates."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from inkwell.core.schemas import OutputModel

PROTOCOL = "inkwell.live.v1"
CHANNEL_PATTERN = r"^(post:[0-9A-Fa-f-]{32,36}|user:me)$"


class LiveTicket(OutputModel):
    """A single-use ticket for one WebSocket connection (docs/live.md)."""

    ticket: str = Field(description="Offer it as the subprotocol `ticket.<ticket>`")
    expires_in: int = Field(description="Seconds it works for, once")
    protocol: str = Field(default=PROTOCOL, description="The subprotocol to offer with it")


Channel = Annotated[str, Field(pattern=CHANNEL_PATTERN, max_length=45)]


class StreamParams(BaseModel):
    """Query parameters of `GET /live/sse`."""

    channels: Annotated[
        list[Channel],
        Field(
            min_length=1,
            max_length=1000,
            description="Channels to watch, e.g. post:{id} or user:me (comma-separated)",
        ),
    ]

    @field_validator("channels", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part]
        return value
