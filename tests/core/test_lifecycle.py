"""The drain's signal handling in this process (the whole shutdown: tests/test_shutdown.py)."""

from __future__ import annotations

import asyncio
import os
import signal
from types import FrameType

from inkwell.core.lifecycle import Drain


async def test_sigterm_drains_first_and_a_second_one_stops_at_once() -> None:
    received: list[int] = []

    def uvicorns_handler(number: int, _frame: FrameType | None) -> None:
        received.append(number)

    original = signal.signal(signal.SIGTERM, uvicorns_handler)
    try:
        drain = Drain(seconds=0.3)
        drain.install()
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.1)
        assert (drain.draining, received) == (True, [])  # draining, not stopping yet
        await asyncio.sleep(0.4)
        assert received == [signal.SIGTERM]  # the drain is over: Uvicorn's handler ran
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert received == [signal.SIGTERM, signal.SIGTERM]  # once draining, at once
    finally:
        signal.signal(signal.SIGTERM, original)


async def test_the_hooks_run_when_the_drain_ends_and_then_uvicorn_stops() -> None:
    order: list[str] = []
    stopped = asyncio.Event()

    def uvicorns_handler(_number: int, _frame: FrameType | None) -> None:
        order.append("uvicorn")
        stopped.set()

    async def failing() -> None:
        raise RuntimeError("a hook that fails")

    async def closing() -> None:
        order.append("hook")

    original = signal.signal(signal.SIGTERM, uvicorns_handler)
    try:
        drain = Drain(seconds=0)
        drain.before_stop(failing)  # logged; the next hook and the stop still happen
        drain.before_stop(closing)
        drain.install()
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stopped.wait(), 10)
    finally:
        signal.signal(signal.SIGTERM, original)
    assert order == ["hook", "uvicorn"]
