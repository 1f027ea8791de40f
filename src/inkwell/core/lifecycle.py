"""Graceful shutdown: on SIGTERM the process first drains, then lets Uvicorn stop.

Draining, readiness (/health/ready) answers 503 while every request is still served, so a
load balancer takes the process out of rotation before it stops listening; after
INKWELL_SHUTDOWN_DRAIN_SECONDS the signal reaches Uvicorn's own handler, which stops accepting
connections and lets the requests in flight finish (up to INKWELL_SHUTDOWN_TIMEOUT_SECONDS,
Uvicorn's `timeout_graceful_shutdown`). A second SIGTERM skips the rest of the drain.

Uvicorn installs its handlers (with `signal.signal`) before it runs the app's startup, in each
worker process; the app's startup wraps the SIGTERM one. Outside the main thread (a server in
a test thread) signals cannot be handled and nothing is installed.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any


class Drain:
    """Whether this process is draining, and the SIGTERM handler that starts it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False

    def install(self) -> None:
        """Wrap the current SIGTERM handler (Uvicorn's) with the drain."""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if callable(previous):
            signal.signal(signal.SIGTERM, self._handler(previous, asyncio.get_running_loop()))

    def _handler(
        self, previous: Callable[[int, FrameType | None], Any], loop: asyncio.AbstractEventLoop
    ) -> Callable[[int, FrameType | None], None]:
        def on_sigterm(number: int, frame: FrameType | None) -> None:
            if self.draining:  # asked twice: stop now
                previous(number, frame)
                return
            self.draining = True
            loop.call_soon_threadsafe(loop.call_later, self.seconds, previous, number, frame)

        return on_sigterm
