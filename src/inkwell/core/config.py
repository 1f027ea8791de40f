"""Settings, read once from `INKWELL_*` environment variables and `.env`."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Every setting of the service; the README has a table of them."""

    model_config = SettingsConfigDict(
        env_prefix="INKWELL_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = "development"
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    # How long a worker process may take to start, or to answer the supervisor's liveness ping,
    # before Uvicorn replaces it. Uvicorn's own 5 s restarts workers in a loop on a busy machine.
    worker_timeout_seconds: int = Field(default=60, ge=1)
    # On SIGTERM: seconds of readiness 503 while still serving (a load balancer stops sending),
    # then at most this long for the requests in flight to finish (core/lifecycle.py).
    shutdown_drain_seconds: float = Field(default=3.0, ge=0, le=300)
    shutdown_timeout_seconds: int = Field(default=20, ge=1, le=3600)
    # When the drain ends, live clients are told to reconnect after a random delay up to this.
    shutdown_reconnect_spread_seconds: float = Field(default=5.0, ge=0, le=300)
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    access_log: bool = True

    database_url: str | None = None
    data_dir: Path = Path(".data")
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    # A connection attempt the server does not answer (it is shutting down or starting up)
    # fails after this long, so requests answer 503 instead of waiting for it.
    db_connect_timeout: float = Field(default=5.0, gt=0, le=60)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    db_echo: bool = False
    # Read requests run their hottest selects on the driver itself (core.db.DriverSelect);
    # false runs them through SQLAlchemy like every other statement (same answers, slower).
    db_driver_reads: bool = True
    # Anonymous GETs of a post, a RealWorld article, a post's comments and the lists of posts
    # skip FastAPI's routing and dependency solving (core/hot_reads.py); false serves them
    # like every other request (same answers, more CPU per request).
    hot_reads: bool = True
    # Read replicas (docs/operations.md, "Read replicas"): safe requests read from one of these
    # when it is up and not lagging past `max_lag`; a read that presents a write's WAL position
    # waits up to `wait` for a replica that replayed it, else reads from the primary. Each
    # process checks the servers every `check` seconds. Empty: every request uses the primary.
    database_replica_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    database_replica_max_lag_seconds: float = Field(default=5.0, gt=0, le=3600)
    database_replica_wait_seconds: float = Field(default=0.25, ge=0, le=10)
    database_replica_check_seconds: float = Field(default=1.0, gt=0, le=60)
    redis_url: str | None = None

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "inkwell"
    jwt_audience: str = "inkwell-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    # RealWorld clients have no refresh token: their token lives this long, bound to a session.
    realworld_token_ttl_hours: int = Field(default=24, ge=1, le=720)
    password_hash_concurrency: int = Field(default=4, ge=1)
    # false keeps the length rules and "not your own name or e-mail", drops the common list.
    password_reject_common: bool = True
    # Key of the hash that identifies anonymous viewers of a post (by address).
    view_hash_salt: SecretStr | None = None

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_allow_credentials: bool = False
    docs_enabled: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    trust_forwarded_for: bool = False
    # Where clients reach the service (scheme and host, e.g. https://blog.example.com): the
    # start of the absolute URLs it hands out. Unset, redirects and Location are paths.
    site_url: str | None = None
    # The site's name, the title of its feeds.
    site_name: str = Field(default="Inkwell", min_length=1, max_length=100)
    # Where a post's page is, after the front end's URL (INKWELL_FRONTEND_URL, else the site
    # URL): the links of feeds and the sitemap. `{slug}` is the post's slug.
    post_page_path: str = Field(default="/posts/{slug}", max_length=200)
    # Feeds show whole posts (true) or their summaries; `?content=` chooses per request.
    feed_full_content: bool = True
    # URLs per sitemap file; past it /sitemap.xml is an index (the protocol allows 50,000).
    sitemap_urls_per_file: int = Field(default=50_000, ge=1, le=50_000)
    # Host names the service answers to (`*.example.com` for subdomains, `*` for any); other
    # Host headers get 400. Empty: the site URL's host, or any host outside production.
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # How deep replies nest under a root comment (depth 0); deeper replies attach at this depth.
    comment_max_depth: int = Field(default=5, ge=1, le=20)

    # Anonymous public reads answer `Cache-Control: public, max-age=<this>,
    # stale-while-revalidate=<stale>`, so a CDN may serve them; 0 turns public caching off.
    http_cache_max_age: int = Field(default=10, ge=0, le=86_400)
    http_cache_stale_seconds: int = Field(default=30, ge=0, le=86_400)

    # GET /metrics answers only a request with `Authorization: Bearer <this>`; unset, metrics
    # are off (404, and no request is counted).
    metrics_token: SecretStr | None = None

    # Events: the CloudEvents `source` of every event, and the prefix of the topic names
    # (`<prefix>.posts`, `<prefix>.comments`, ...).
    event_source: str = Field(default="/inkwell", min_length=1, max_length=200)
    event_topic_prefix: str = Field(
        default="inkwell", min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._-]+$"
    )

    # Kafka and the outbox relay (docs/events.md). Unset bootstrap servers: nothing is relayed,
    # the outbox keeps recording. Producer options are librdkafka's, as JSON
    # (e.g. {"security.protocol": "SASL_SSL"}); idempotence and acks=all are always on.
    kafka_bootstrap_servers: str | None = None
    kafka_producer_options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_interval_seconds: float = Field(default=5.0, gt=0)
    relay_send_timeout_seconds: float = Field(default=30.0, gt=0)
    relay_retry_base_seconds: float = Field(default=1.0, gt=0)
    relay_retry_max_seconds: float = Field(default=600.0, gt=0)
    # Whether `inkwell serve` also runs the relay, inside the API process; unset: in development.
    relay_in_process: bool | None = None

    # Background jobs (`inkwell worker`): jobs run at once per worker process; whether
    # `inkwell serve` runs a worker inside itself (unset: yes in development only).
    worker_concurrency: int = Field(default=4, ge=1, le=100)
    worker_in_process: bool | None = None
    # How long pruning keeps relayed outbox rows, ended login sessions and refresh tokens, and
    # post views (the daily view statistics reach back this far).
    outbox_retention_hours: int = Field(default=168, ge=1)
    session_retention_days: int = Field(default=30, ge=1)
    view_retention_days: int = Field(default=400, ge=1)
    # How often in-process consumers of the outbox (webhooks) look for rows besides being
    # woken by a commit's NOTIFY.
    outbox_consumer_poll_seconds: float = Field(default=1.0, gt=0, le=60)

    # Webhooks (docs/events.md). Endpoints must be https URLs of public addresses unless these
    # allow http or private addresses (loopback, RFC 1918, unique-local: for tests and private
    # networks; link-local and metadata addresses are refused always). A delivery attempt gives
    # up after the timeout; finished deliveries and their attempts are kept this long.
    webhooks_allow_http: bool = False
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_delivery_retention_days: int = Field(default=30, ge=1)

    # Account e-mail (docs/architecture.md "Account e-mail"). Unset SMTP host: messages are
    # written as .eml files under <data_dir>/mail instead of sent. `mail_delivered` says mail
    # reaches people (unset: when an SMTP host is set); registration then answers alike for
    # new and taken addresses. Links start with `frontend_url` (unset: the site URL).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    smtp_from: str = Field(default="Inkwell <no-reply@localhost>", min_length=3, max_length=320)
    mail_delivered: bool | None = None
    mail_retention_days: int = Field(default=7, ge=1)
    frontend_url: str | None = None
    email_verification_ttl_hours: int = Field(default=48, ge=1, le=720)
    password_reset_ttl_minutes: int = Field(default=30, ge=5, le=1440)
    # The hour (UTC) at which the daily digests of notifications are mailed.
    notification_digest_hour: int = Field(default=8, ge=0, le=23)

    # Media (docs/media.md): uploads stored on local disk under `media_dir` (unset:
    # <data_dir>/media) or in an S3-compatible bucket; limits per upload and per user.
    media_storage: Literal["local", "s3"] = "local"
    media_dir: Path | None = None
    media_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    media_max_pixels: int = Field(default=50_000_000, ge=1)
    media_quota_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024)
    media_variant_widths: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [320, 800, 1600]
    )
    # Where clients fetch media files; unset = /media/<name> on this service (after site_url).
    media_public_url: str | None = None
    media_s3_bucket: str | None = None
    media_s3_prefix: str = ""
    media_s3_endpoint_url: str | None = None
    media_s3_region: str | None = None
    media_s3_access_key_id: str | None = None
    media_s3_secret_access_key: SecretStr | None = None
    media_s3_presign_seconds: int = Field(default=3600, ge=60, le=604_800)
    # Uploads no profile or post uses (avatar, cover, the post's Markdown) are removed after this.
    media_retention_days: int = Field(default=30, ge=1)
    # Stored files no upload accounts for (a crash between storing and committing, a failed
    # upload's original) are removed by the hourly sweep once they are this old.
    media_orphan_grace_hours: int = Field(default=24, ge=1)
    # Imports and exports (docs/import-export.md): the largest file the admin endpoint takes,
    # how long an export's archive can be downloaded, and where local archives are kept
    # (unset: <data_dir>/exports; with media_storage=s3 they go to the bucket under exports/).
    import_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)
    export_retention_hours: int = Field(default=24, ge=1, le=720)
    export_dir: Path | None = None
    # Images one worker process decodes at once (each holds its full-size pixels in memory).
    media_processing_concurrency: int = Field(default=2, ge=1, le=64)

    # Live updates (docs/live.md): how long a WebSocket ticket works, how often an idle
    # connection gets a heartbeat, how many messages wait for one slow client before it is
    # disconnected, and how many connections (per process) and channels a user may hold.
    live_ticket_ttl_seconds: int = Field(default=30, ge=5, le=300)
    live_heartbeat_seconds: float = Field(default=20.0, gt=0, le=300)
    live_queue_size: int = Field(default=256, ge=1, le=100_000)
    live_max_connections_per_user: int = Field(default=10, ge=1, le=1000)
    live_max_subscriptions: int = Field(default=50, ge=1, le=1000)
    # How long live messages are kept for resuming (`?since=`); older numbers answer 410.
    live_message_retention_hours: int = Field(default=168, ge=1)

    # How long the answer to a request with an Idempotency-Key is kept for its retries.
    idempotency_key_retention_hours: int = Field(default=24, ge=1, le=720)

    # The role of new accounts: `author` publishes their own posts; `contributor` for a
    # publication where every post is reviewed (docs/editorial.md). Admins make the others.
    default_role: Literal["author", "contributor"] = "author"

    rate_limit_enabled: bool = True
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    rate_limit_login_per_ip: int = Field(default=20, ge=1)
    rate_limit_login_per_account: int = Field(default=10, ge=1)
    rate_limit_register_per_ip: int = Field(default=10, ge=1)
    rate_limit_refresh_per_ip: int = Field(default=60, ge=1)
    rate_limit_post_writes_per_user: int = Field(default=30, ge=1)
    rate_limit_comment_writes_per_user: int = Field(default=20, ge=1)
    rate_limit_views_per_ip: int = Field(default=120, ge=1)
    rate_limit_password_reset_per_ip: int = Field(default=10, ge=1)
    rate_limit_password_reset_per_address: int = Field(default=3, ge=1)
    rate_limit_verification_mail_per_user: int = Field(default=3, ge=1)
    rate_limit_requests_per_api_key: int = Field(default=600, ge=1)

    # API keys (docs/api-keys.md): how many unrevoked, unexpired keys one user may hold.
    api_keys_max_per_user: int = Field(default=10, ge=1, le=100)

    @field_validator("cors_origins", "trusted_hosts", "database_replica_urls", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("media_variant_widths", mode="before")
    @classmethod
    def _split_widths(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(item) for item in value.split(",") if item.strip()]
        return value

    @field_validator("media_variant_widths")
    @classmethod
    def _sorted_widths(cls, widths: list[int]) -> list[int]:
        if any(width < 16 or width > 8192 for width in widths):
            raise ValueError("variant widths are 16 to 8192 pixels")
        return sorted(set(widths))

    @field_validator("trusted_hosts")
    @classmethod
    def _lower_hosts(cls, hosts: list[str]) -> list[str]:
        return [host.lower() for host in hosts]

    @field_validator("database_replica_urls")
    @classmethod
    def _postgres_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("postgresql://", "postgres://", "postgresql+")):
                raise ValueError("INKWELL_DATABASE_REPLICA_URLS holds postgresql:// URLs")
        return urls

    @model_validator(mode="after")
    def _replica_lag_spans_checks(self) -> Settings:
        # A replica is judged against the primary's position at the previous check, so a
        # bound shorter than two checks would skip replicas that keep up.
        if self.database_replica_max_lag_seconds < 2 * self.database_replica_check_seconds:
            raise ValueError(
                "INKWELL_DATABASE_REPLICA_MAX_LAG_SECONDS must be at least twice "
                "INKWELL_DATABASE_REPLICA_CHECK_SECONDS"
            )
        return self

    @field_validator("site_url")
    @classmethod
    def _origin_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value.strip())
        extras = url.path.strip("/") or url.query or url.fragment or url.username
        if url.scheme not in {"http", "https"} or not url.hostname or extras:
            raise ValueError("INKWELL_SITE_URL must be a scheme and host, e.g. https://example.com")
        return f"{url.scheme}://{url.netloc}"

    @field_validator("post_page_path")
    @classmethod
    def _post_path(cls, value: str) -> str:
        rest = value.replace("{slug}", "")
        if not value.startswith("/") or "{slug}" not in value or "{" in rest or "}" in rest:
            raise ValueError("INKWELL_POST_PAGE_PATH must start with / and hold {slug}")
        return value

    @field_validator("frontend_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value.strip())
        if url.scheme not in {"http", "https"} or not url.hostname or url.query or url.fragment:
            raise ValueError(
                "INKWELL_FRONTEND_URL must be an http(s) URL without query or fragment"
            )
        return value.strip().rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def runs_relay_in_process(self) -> bool:
        """Whether `inkwell serve` relays the outbox itself (needs Kafka configured)."""
        if not self.kafka_bootstrap_servers:
            return False
        if self.relay_in_process is None:
            return self.env == "development"
        return self.relay_in_process

    @property
    def runs_worker_in_process(self) -> bool:
        """Does `inkwell serve` run the job worker itself (one command runs everything)?"""
        if self.worker_in_process is None:
            return self.env == "development"
        return self.worker_in_process

    @property
    def allowed_origins(self) -> list[str]:
        """The CORS allow-list; in development an empty list means any origin (no credentials),
        so a front end on another port works with `make run` and nothing set."""
        if not self.cors_origins and self.env == "development" and not self.cors_allow_credentials:
            return ["*"]
        return self.cors_origins

    @property
    def allowed_hosts(self) -> list[str]:
        """The Host headers served: the setting, else the site URL's host, else any host
        (production refuses to start with neither)."""
        if self.trusted_hosts:
            return self.trusted_hosts
        if self.site_url is not None:
            return [str(urlsplit(self.site_url).hostname)]
        return ["*"]

    @property
    def delivers_mail(self) -> bool:
        """Does mail reach people (an SMTP server, unless the setting says otherwise)?"""
        if self.mail_delivered is None:
            return self.smtp_host is not None
        return self.mail_delivered

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics_token is not None

    @property
    def site_base(self) -> str:
        """Where this service is reached: the site URL, else its own address."""
        return self.site_url or f"http://{self.host}:{self.port}"

    @property
    def link_base(self) -> str:
        """Where links in e-mails point: the front end, else the site, else this server."""
        return self.frontend_url or self.site_url or f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Where this service is reached from outside (links to the API itself, such as
        one-click unsubscribe): the site URL, else this server."""
        return self.site_url or f"http://{self.host}:{self.port}"

    @property
    def view_hash_key(self) -> bytes:
        """The key of viewer hashes: the setting, or one derived from the JWT secret.

        Derived (not random per process) so every worker and machine hashes a viewer alike;
        HMAC keeps the JWT secret itself out of reach of anyone who learns this key.
        """
        if self.view_hash_salt is not None:
            return self.view_hash_salt.get_secret_value().encode()
        secret = self.jwt_secret.get_secret_value().encode()
        return hmac.new(secret, b"inkwell view-hash salt v1", hashlib.sha256).digest()

    @property
    def media_root(self) -> Path:
        """The directory local media storage writes to."""
        return self.media_dir or self.data_dir / "media"

    @property
    def export_root(self) -> Path:
        """The directory local storage keeps import uploads and export archives in."""
        return self.export_dir or self.data_dir / "exports"

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.media_storage == "s3" and not self.media_s3_bucket:
            raise ValueError("INKWELL_MEDIA_STORAGE=s3 needs INKWELL_MEDIA_S3_BUCKET")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if not self.is_production:
            return self
        secret = self.jwt_secret.get_secret_value()
        if secret == DEV_JWT_SECRET or len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                "INKWELL_JWT_SECRET must be set to a random value of at least 32 bytes "
                "in production"
            )
        metrics = self.metrics_token
        if metrics is not None and len(metrics.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError("INKWELL_METRICS_TOKEN must be at least 32 bytes in production")
        salt = self.view_hash_salt
        if salt is not None and len(salt.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError("INKWELL_VIEW_HASH_SALT must be at least 32 bytes in production")
        if self.smtp_host and not (self.frontend_url or self.site_url):
            raise ValueError(
                "INKWELL_FRONTEND_URL (or INKWELL_SITE_URL) must be set in production when "
                "mail is sent: links in e-mails start with it"
            )
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError("CORS may not allow every origin with credentials in production")
        return self

    @model_validator(mode="after")
    def _production_names_its_hosts(self) -> Settings:
        if self.is_production and not self.trusted_hosts and self.site_url is None:
            raise ValueError(
                "INKWELL_TRUSTED_HOSTS (or INKWELL_SITE_URL) must name the hosts the service "
                "answers to in production"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
