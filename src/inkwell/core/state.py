"""The long-lived objects of one running app, built in the lifespan and kept on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import create_engine, create_read_sessionmaker, create_sessionmaker
from inkwell.core.lifecycle import Drain
from inkwell.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from inkwell.core.replicas import ReplicaSet
from inkwell.core.security import PasswordHasher, TokenCodec


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    hasher: PasswordHasher
    codec: TokenCodec
    limiter: RateLimiter
    redis: Redis | None = None
    replicas: ReplicaSet | None = None  # INKWELL_DATABASE_REPLICA_URLS; None: reads use the primary
    read_sessionmaker: async_sessionmaker[AsyncSession] = field(init=False)
    drain: Drain = field(init=False)

    def __post_init__(self) -> None:
        self.drain = Drain(self.settings.shutdown_drain_seconds)
        self.read_sessionmaker = create_read_sessionmaker(
            self.sessionmaker, driver_reads=self.settings.db_driver_reads
        )

    @classmethod
    def build(cls, settings: Settings, *, engine: AsyncEngine | None = None) -> AppState:
        engine = engine or create_engine(settings)
        redis = (
            Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
            if settings.redis_url
            else None
        )
        state = cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            hasher=PasswordHasher(settings.password_hash_concurrency),
            codec=TokenCodec(settings),
            limiter=RedisRateLimiter(redis) if redis else MemoryRateLimiter(),
            redis=redis,
        )
        if settings.database_replica_urls:
            state.replicas = ReplicaSet.connect(settings, engine, state.read_sessionmaker)
        return state

    async def close(self) -> None:
        if self.replicas is not None:
            await self.replicas.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
