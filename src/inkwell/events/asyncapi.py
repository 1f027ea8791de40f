"""The AsyncAPI 3.0 document of the events, generated from the catalogue's models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from inkwell import __version__
from inkwell.events.catalogue import EVENT_TYPES
from inkwell.events.envelope import CloudEvent, EventData

CONTENT_TYPE = "application/cloudevents+json"
_SCHEMAS = "#/components/schemas/{model}"
_TOPICS = {
    "users": "Accounts: registered, updated, deleted.",
    "posts": "Posts: written, edited, published, unpublished, archived, restored, deleted.",
    "comments": "Comments: written, edited, hidden, shown, approved, deleted.",
    "engagement": "Likes and bookmarks of posts.",
    "follows": "Who follows whom.",
    "media": "Uploaded images: accepted, processed, deleted.",
}


@cache
def asyncapi_document(topic_prefix: str, source: str) -> dict[str, Any]:
    """Channels per topic, one message per event type: the envelope with its typed data."""
    messages = {kind.__name__: _message(kind) for kind in EVENT_TYPES}
    channels = {topic: _channel(topic, topic_prefix) for topic in _TOPICS}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Inkwell events",
            "version": __version__,
            "description": (
                "Every change in Inkwell as a CloudEvents 1.0 event (JSON, structured mode), "
                f"with source `{source}`. One topic per aggregate; the Kafka key is the "
                "event's subject, the aggregate's id. Delivery is at least once: "
                "deduplicate on the event id."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": {f"send_{topic}": _operation(topic) for topic in _TOPICS},
        "components": {"messages": messages, "schemas": _schemas()},
    }


def _channel(topic: str, prefix: str) -> dict[str, Any]:
    kinds = [kind for kind in EVENT_TYPES if kind.topic == topic]
    return {
        "address": f"{prefix}.{topic}",
        "description": _TOPICS[topic],
        "messages": {
            kind.__name__: {"$ref": f"#/components/messages/{kind.__name__}"} for kind in kinds
        },
    }


def _operation(topic: str) -> dict[str, Any]:
    kinds = [kind for kind in EVENT_TYPES if kind.topic == topic]
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{topic}"},
        "messages": [{"$ref": f"#/channels/{topic}/messages/{kind.__name__}"} for kind in kinds],
    }


def _message(kind: type[EventData]) -> dict[str, Any]:
    key_description = f"The event's subject: `data.{kind.key_field}`."
    return {
        "name": kind.event_type(),
        "title": kind.event_type(),
        "summary": (kind.__doc__ or "").strip(),
        "contentType": CONTENT_TYPE,
        "payload": {
            "allOf": [
                {"$ref": _SCHEMAS.format(model=CloudEvent.__name__)},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": kind.event_type()},
                        "subject": {"type": "string", "description": key_description},
                        "data": {"$ref": _SCHEMAS.format(model=kind.__name__)},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "format": "uuid", "description": key_description},
                "bindingVersion": "0.5.0",
            }
        },
    }


def _schemas() -> dict[str, Any]:
    models: list[type[BaseModel]] = [CloudEvent, *EVENT_TYPES]
    _, schema = models_json_schema(
        [(model, "serialization") for model in models], ref_template=_SCHEMAS
    )
    schemas: dict[str, Any] = schema["$defs"]
    return schemas
