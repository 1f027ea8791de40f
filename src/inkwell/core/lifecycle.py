"""Graceful shutdown: on SIGTERM the process first drains, then lets Uvicorn stop.

Draining, readiness (/health/ready) answers 503 while every request is still served, so a
load balancer takes the process out of rotation before it stops listening; after
INKWELL_SHUTDOWN_DRAIN_SECONDS the hooks registered with `before_stop` run (live connections
are closed with a reconnect hint), for at most STOP_HOOK_SECONDS, and then the signal reaches
Uvicorn's own handler, which stops accepting connections and lets the requests in flight finish
(up to INKWELL_SHUTDOWN_TIMEOUT_SECONDS, Uvicorn's `timeout_graceful_shutdown`). A second
SIGTERM skips the rest of the drain and the hooks.

Uvicorn installs its handlers (with `signal.signal`) before it runs the app's startup, in each
worker process; the app's startup wraps the SIGTERM one. Outside the main thread (a server in
a test thread) signals cannot be handled and nothing is installed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

STOP_HOOK_SECONDS = 5.0  # each hook; the drain has already given clients time to move

Handler = Callable[[int, FrameType | None], Any]


class Drain:
    """Whether this process is draining, and the SIGTERM handler that starts it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False
        self.hooks: list[Callable[[], Awaitable[None]]] = []
        self.stopping: asyncio.Task[None] | None = None

    def before_stop(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` when the drain ends, before Uvicorn stops listening."""
        self.hooks.append(hook)

    def install(self) -> None:
        """Wrap the current SIGTERM handler (Uvicorn's) with the drain."""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if callable(previous):
            signal.signal(signal.SIGTERM, self._handler(previous, asyncio.get_running_loop()))

    def _handler(
        self, previous: Handler, loop: asyncio.AbstractEventLoop
    ) -> Callable[[int, FrameType | None], None]:
        def on_sigterm(number: int, frame: FrameType | None) -> None:
            if self.draining:  # asked twice: stop now
                previous(number, frame)
                return
            self.draining = True
            stop = self._stop_later(previous, number, frame)
            loop.call_soon_threadsafe(loop.call_later, self.seconds, stop)

        return on_sigterm

    def _stop_later(
        self, previous: Handler, number: int, frame: FrameType | None
    ) -> Callable[[], None]:
        def stop() -> None:
            self.stopping = asyncio.ensure_future(self._stop(previous, number, frame))

        return stop

    async def _stop(self, previous: Handler, number: int, frame: FrameType | None) -> None:
        for hook in self.hooks:
            try:
                await asyncio.wait_for(hook(), STOP_HOOK_SECONDS)
            except Exception:  # a hook that fails must not keep the process from stopping
                logger.exception("shutdown_hook_failed")
        previous(number, frame)
