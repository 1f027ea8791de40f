"""Inkwell as built, but with the outbox write replaced by a no-op: the "before" of the
outbox's cost in bench/events.py. Never used outside the benchmark.

    uvicorn --factory bench.no_outbox:app_factory

Everything else (services, statements, middleware, settings) is the same build, so the
difference between the two servers is the events' serialisation, their INSERT and its NOTIFY.
"""

from __future__ import annotations

from fastapi import FastAPI

from inkwell.events.envelope import CloudEvent, EventData
from inkwell.events.outbox import Outbox
from inkwell.main import app_factory as inkwell_app_factory


async def _record_nothing(_outbox: Outbox, *_changes: EventData) -> list[CloudEvent]:
    return []


def app_factory() -> FastAPI:
    Outbox.record = _record_nothing  # type: ignore[method-assign]
    return inkwell_app_factory()
