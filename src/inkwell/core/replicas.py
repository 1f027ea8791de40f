"""Read replicas (`INKWELL_DATABASEREAD_REPLICA_URLS`): which server a safe request reads from.

Writes, and every request that is not GET, HEAD or OPTIONS, use the primary. A safe request
reads from a replica that is up and replays the primary's WAL closely enough; which replicas
qualify is decided by a check every `INKWELL_DATABASEREAD_REPLICA_CHECK_SECONDS`, in the
background, never per request. A write's response names the primary's WAL position after its
commit (`X-Inkwell-Read-After`, and a cookie for browsers); a read that presents it is served
by a replica that has replayed that position, waiting a little for one, else by the primary.
A read that fails on a replica runs again on the primary (db.SessionRoute).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field

from fastapi import Request, Response
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import (
    READ_PRIMARY,
    READ_REPLICA,
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
)
from inkwell.core.errors import DomainError

log = logging.getLogger("inkwell.replicas")

READ_AFTER_HEADER = "X-Inkwell-Read-After"
READ_AFTER_COOKIE = "inkwell_read_after"
_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
_FAILURES = (DBAPIError, PoolTimeoutError, OSError)
_FIRST_POLL, _LONGEST_POLL = 0.002, 0.05  # seconds between looks while a read waits


class InvalidReadAfter(DomainError):
    code, title = "invalid_read_after", "Invalid read-after position"


def parse_lsn(value: str) -> int:
    """A WAL position as PostgreSQL writes it (`16/B374D848`), as a number."""
    match = _LSN.fullmatch(value.strip())
    if match is None:
        raise InvalidReadAfter(
            f"{READ_AFTER_HEADER} must be a WAL position such as 0/16B3748, "
            "as a write's response gave it"
        )
    return int(match[1], 16) << 32 | int(match[2], 16)


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


@dataclass(eq=False)
class Replica:
    """One replica: its engine (statements autocommit) and what the last look found."""

    label: str  # host, port and database, without the password: for logs
    engine: AsyncEngine
    autocommit: AsyncEngine  # the same pool; each statement its own transaction
    sessionmaker: async_sessionmaker[AsyncSession]
    replayed: int = 0
    usable: bool = False

    @classmethod
    def connect(cls, settings: Settings, url: str) -> Replica:
        engine = create_engine(settings, url)
        reads = create_read_sessionmaker(
            create_sessionmaker(engine), driver_reads=settings.db_driver_reads
        )
        label = make_url(url).render_as_string(hide_password=True)
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        return cls(label=label, engine=engine, autocommit=autocommit, sessionmaker=reads)

    async def replay_position(self) -> int | None:
        """How far it replayed the primary's WAL; None when it is not a standby (promoted)."""
        return (await self.look())[0]

    async def look(self) -> tuple[int | None, float]:
        """How far it replayed the primary's WAL (None: not a standby, it was promoted), and
        how long ago the last transaction it replayed committed (infinite if none yet)."""
        async with self.autocommit.connect() as connection:
            row = (await connection.execute(_LOOK)).one()
        in_recovery, replayed, age = row
        if not in_recovery or replayed is None:
            return None, math.inf
        return int(replayed), math.inf if age is None else float(age)


_LOOK = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(),"
    " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
)


@dataclass
class PrimaryHistory:
    """The primary's flushed WAL position at each check, oldest first. A replica that
    replayed the position the primary had flushed at time t holds every commit flushed before
    t: its lag is at most the time since the newest such check (measured on this process's
    clock only; with `synchronous_commit = off`, plus the WAL writer's delay)."""

    keep: int
    samples: deque[tuple[float, int]] = field(default_factory=deque)

    def add(self, at: float, position: int) -> None:
        self.samples.append((at, position))
        while len(self.samples) > self.keep:
            self.samples.popleft()

    def lag(self, replayed: int, now: float) -> float | None:
        """At most this many seconds behind; None when no check is old enough to tell (the
        first ones)."""
        for at, position in reversed(self.samples):
            if position <= replayed:
                return now - at
        return None


class ReplicaSet:
    """The replicas of one process, their checks, and the choice of one for each safe read."""

    def __init__(
        self,
        settings: Settings,
        primary: AsyncEngine,
        primary_reads: async_sessionmaker[AsyncSession],
        replicas: list[Replica],
    ) -> None:
        self.replicas = replicas
        self.primary_reads = primary_reads
        self._primary = primary.execution_options(isolation_level="AUTOCOMMIT")
        self._max_lag = settings.database_replica_max_lag_seconds
        self._wait = settings.database_replica_wait_seconds
        self._every = settings.database_replica_check_seconds
        self._history = PrimaryHistory(keep=math.ceil(self._max_lag / self._every) + 2)
        self._turn = itertools.count()
        self._checker: asyncio.Task[None] | None = None
        self._first_check: asyncio.Task[None] | None = None
        # A cookie past this age cannot matter: every replica in use is closer than that.
        self.cookie_seconds = math.ceil(self._max_lag + self._every) + 1

    @classmethod
    def connect(
        cls,
        settings: Settings,
        primary: AsyncEngine,
        primary_reads: async_sessionmaker[AsyncSession],
    ) -> ReplicaSet:
        replicas = [Replica.connect(settings, url) for url in settings.database_replica_urls]
        return cls(settings, primary, primary_reads, replicas)

    async def read_sessionmaker(self, request: Request) -> async_sessionmaker[AsyncSession]:
        """The sessions a safe request reads through: a replica's, or the primary's."""
        if request.scope.get(READ_PRIMARY):
            return self.primary_reads
        await self._started()
        replica = await self.choose(_presented_position(request))
        if replica is None:
            return self.primary_reads
        request.scope[READ_REPLICA] = replica
        return replica.sessionmaker

    def read_failed(self, request: Request, error: BaseException) -> bool:
        """After `error` ended a request: True when it read from a replica and should run
        again on the primary (the replica is left out until the next check finds it well)."""
        replica: Replica | None = request.scope.pop(READ_REPLICA, None)
        if replica is None or not isinstance(error, _FAILURES):
            return False
        log.warning(
            "replica read failed; reading from the primary", extra={"replica": replica.label}
        )
        replica.usable = False
        request.scope[READ_PRIMARY] = True
        return True

    async def stamp(self, response: Response) -> None:
        """Name the primary's WAL position, taken after a write committed, in the response."""
        try:
            position = await self.primary_position()
        except _FAILURES:
            log.warning("could not read the primary's WAL position after a commit")
            return
        value = format_lsn(position)
        response.headers[READ_AFTER_HEADER] = value
        response.set_cookie(
            READ_AFTER_COOKIE, value, max_age=self.cookie_seconds, httponly=True, samesite="lax"
        )

    async def primary_position(self) -> int:
        """Where the primary inserts its next WAL record: past every commit made so far."""
        return await self._primary_lsn("SELECT pg_current_wal_insert_lsn()")

    async def primary_flushed(self) -> int:
        """How far the primary flushed its WAL: all a standby can replay now. Not the insert
        position: after a switch to a new segment an idle primary's insert position counts
        the new page's header, which no standby reaches until something more is written."""
        return await self._primary_lsn("SELECT pg_current_wal_flush_lsn()")

    async def _primary_lsn(self, statement: str) -> int:
        async with self._primary.connect() as connection:
            return int(await connection.scalar(text(statement)))

    async def choose(self, position: int | None) -> Replica | None:
        """A usable replica (in turn) that replayed `position`, waiting a little for one that
        has not yet; None: read from the primary."""
        usable = [replica for replica in self.replicas if replica.usable]
        if position is not None:
            caught_up = [replica for replica in usable if replica.replayed >= position]
            if not caught_up and usable:
                nearest = max(usable, key=lambda replica: replica.replayed)
                return await self._wait_for(nearest, position)
            usable = caught_up
        if not usable:
            return None
        return usable[next(self._turn) % len(usable)]

    async def _wait_for(self, replica: Replica, position: int) -> Replica | None:
        deadline, pause = time.monotonic() + self._wait, _FIRST_POLL
        while True:
            try:
                replayed = await replica.replay_position()
            except _FAILURES:
                replica.usable = False
                return None
            replica.replayed = max(replica.replayed, replayed or 0)
            if replica.replayed >= position:
                return replica
            if replayed is None or time.monotonic() + pause > deadline:
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)

    async def check(self) -> None:
        """Look at the primary's position, then at each replica's: which may serve reads."""
        now = time.monotonic()
        try:
            self._history.add(now, await self.primary_flushed())
        except _FAILURES:
            log.warning("replica check: the primary did not answer")
        for replica in self.replicas:
            await self._check_one(replica, now)

    async def _check_one(self, replica: Replica, now: float) -> None:
        try:
            replayed, replay_age = await replica.look()
        except _FAILURES as error:
            self._judge(replica, False, f"unreachable ({type(error).__name__})")
            return
        if replayed is None:
            self._judge(replica, False, "not a standby")
            return
        replica.replayed = max(replica.replayed, replayed)
        lag = self._history.lag(replica.replayed, now)
        if lag is None:  # behind every check so far: judge by its last replayed commit
            lag = replay_age
        self._judge(replica, lag <= self._max_lag, f"lagging more than {self._max_lag} s")

    @staticmethod
    def _judge(replica: Replica, usable: bool, reason: str) -> None:
        if replica.usable and not usable:
            log.warning("replica left out: %s", reason, extra={"replica": replica.label})
        elif usable and not replica.usable:
            log.info("replica serves reads", extra={"replica": replica.label})
        replica.usable = usable

    async def _started(self) -> None:
        """The first read waits for the first check; a task checks again every interval."""
        if self._checker is not None:
            return
        if self._first_check is None:
            self._first_check = asyncio.ensure_future(self.check())
        await asyncio.shield(self._first_check)
        if self._checker is None:
            self._checker = asyncio.create_task(self._check_every_interval())

    async def _check_every_interval(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.check()
            except Exception:
                log.exception("replica check failed")

    async def close(self) -> None:
        for task in (self._checker, self._first_check):
            if task is not None and not task.done():
                task.cancel()
        if self._checker is not None:
            await asyncio.gather(self._checker, return_exceptions=True)
        for replica in self.replicas:
            await replica.engine.dispose()


def _presented_position(request: Request) -> int | None:
    """The WAL position a read must see: the header's, else the cookie's (a bad cookie is
    ignored: a browser cannot be told to fix it; a bad header answers 400)."""
    header = request.headers.get(READ_AFTER_HEADER)
    if header is not None:
        return parse_lsn(header)
    cookie = request.cookies.get(READ_AFTER_COOKIE)
    if cookie is None:
        return None
    try:
        return parse_lsn(cookie)
    except InvalidReadAfter:
        return None
