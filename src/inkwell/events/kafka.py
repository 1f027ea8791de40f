"""The relay's Kafka producer: confluent-kafka (librdkafka), idempotent, acks from all replicas.

librdkafka sends from its own threads; `produce()` only queues a message. `flush()` blocks
until every queued message is acknowledged or has failed (after `message.timeout.ms`), and
runs the delivery callbacks in the thread that calls it, so the relay calls it in a worker
thread and the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from inkwell.core.config import Settings

# CloudEvents' Kafka binding, structured mode: the whole event is the value.
HEADERS: list[tuple[str, str | bytes | None]] = [("content-type", b"application/cloudevents+json")]


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    key: str
    value: bytes


def producer_config(settings: Settings) -> dict[str, Any]:
    """librdkafka's configuration: the operator's options, then what the relay relies on."""
    return {
        "linger.ms": 5,
        "log.connection.close": False,  # brokers close idle connections; that is no news
        **settings.kafka_producer_options,
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "message.timeout.ms": int(settings.relay_send_timeout_seconds * 1000),
    }


class EventProducer:
    """Sends a batch and says, for each message, whether the broker acknowledged it."""

    def __init__(self, settings: Settings) -> None:
        self.producer = Producer(producer_config(settings))
        # flush() returns by message.timeout.ms at the latest; the margin is for its callbacks.
        self.flush_timeout = settings.relay_send_timeout_seconds + 5

    async def send(self, messages: Sequence[Outgoing]) -> list[str | None]:
        """Produce the messages in order; each one's error, or None once acknowledged.

        A message that the producer refuses at once (too large, say) keeps the later messages
        of its key in the batch from being produced, so none of them overtakes it.
        """
        errors: list[str | None] = ["not sent: an earlier event of its key failed"] * len(messages)
        refused: set[str] = set()
        for n, message in enumerate(messages):
            if message.key in refused:
                continue
            errors[n] = "not acknowledged"
            try:
                self.producer.produce(
                    message.topic,
                    value=message.value,
                    key=message.key,
                    headers=HEADERS,
                    on_delivery=_recorder(errors, n),
                )
            except (KafkaException, BufferError) as error:
                errors[n] = str(error)
                refused.add(message.key)
        await asyncio.to_thread(self.producer.flush, self.flush_timeout)
        return errors


def _recorder(errors: list[str | None], n: int) -> Callable[[KafkaError | None, Message], None]:
    def record(error: KafkaError | None, _message: Message) -> None:
        errors[n] = None if error is None else error.str()

    return record
