"""The one typed settings object, read from ROOST_* environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROOST_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""
    # The host[:port] every URL Roost writes names. `roost serve` without ROOST_DOMAIN
    # sets it to the address it serves (localhost:<port>); this default is for code
    # that builds the app itself.
    # PostgreSQL read replicas (streaming standbys of ``database_url``), comma-separated.
    # A request's reads may go to one that has replayed its reader's last write
    # (core/replicas.py); one lagging more than ``database_replica_max_lag_seconds`` or
    # down is skipped until it catches up.
    database_replica_urls: str = ""
    database_replica_max_lag_seconds: float = 5.0
    domain: str = "localhost:8000"
    secret_key: str = ""
    # argon2id's parameters for new password hashes, by argon2-cffi's profile name:
    # RFC 9106's low-memory one (64 MiB, 3 passes: ~0.2 s of CPU a hash on a 2-core
    # EPYC). CHEAPEST is for test runs only, which hash thousands of passwords.
    password_hash_profile: Literal["RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST"] = (
        "RFC_9106_LOW_MEMORY"
    )
    registrations: Literal["open", "approval", "closed"] = "open"
    rate_limits: bool = True
    # Redis (e.g. redis://127.0.0.1:6379/0) switches on the scaled roles: timelines,
    # caches, rate limits, pub/sub and the job queue. Empty: all served in-process.
    redis_url: str = ""
    # ROOST_REDIS_URL names one node of a Redis Cluster (any node: the client finds the
    # others). Every multi-key call then stays within one hash slot (core/redis.py).
    redis_cluster: bool = False
    # Every Redis key Roost writes starts with this (tests use a unique one).
    redis_prefix: str = "roost:"
    # An unreachable Redis costs a command at most these (seconds); after a failure the
    # process stops trying for `redis_breaker_seconds`, then probes (core/breaker.py).
    redis_connect_timeout: float = 1.0
    redis_socket_timeout: float = 2.0
    redis_breaker_seconds: float = 1.0
    # Accounts with more followers than this are merged into timelines at read time.
    fanout_limit: int = 10_000
    # How many of their posts an account may pin to its profile (Mastodon's default).
    max_pinned_statuses: int = 5
    # Home timelines keep this many entries; older posts are read from SQL.
    timeline_cap: int = 800
    # Fan-out delivers to at most this many followers in one batch.
    fanout_batch: int = 1000
    # An outbox row older than this is re-driven by the sweep.
    sweep_after_seconds: float = 30.0
    # With Redis: API processes also run queued jobs (`roost serve --run-jobs`), for a
    # deployment without `roost worker`. Without Redis jobs always run in-process.
    serve_runs_jobs: bool = False
    # uvicorn's access log: one line per request (`roost serve --no-access-log` also
    # turns it off); off saves CPU under load.
    access_log: bool = True
    # `json`: every log line (Roost's, uvicorn's, the worker's) is one JSON object with
    # the request id it was written for (core/logs.py). `text`: plain lines.
    log_format: Literal["text", "json"] = "text"
    # /metrics answers whoever sends this as a bearer token; empty: only this machine
    # (loopback clients). See observability/service.py.
    metrics_token: str = ""
    # `roost worker` serves /metrics, /health and /health/ready on this port (0: off;
    # `roost worker --metrics-port` also sets it).
    worker_metrics_port: int = 0
    # A request body (JSON or form) larger than this is refused with 413 before it is
    # read. A path may have a limit of its own (core/limits.py: RequestLimits).
    max_body_bytes: int = 1 << 20
    # Polls (reported by /api/v1/instance and /api/v2/instance).
    poll_max_options: int = 4
    poll_max_characters_per_option: int = 50
    poll_min_expiration: int = 300  # seconds
    poll_max_expiration: int = 2_629_746  # a month
    # The server's rules, a JSON list of texts (ROOST_RULES='["No spam", "Be kind"]'):
    # shown by /api/v1/instance/rules, named by reports. A rule's id is its place in the
    # list from 1, so add new rules at the end (instance/rules.py says why).
    rules: list[str] = []
    # Link preview cards (cards/): the first link of a post is fetched by a job.
    preview_cards: bool = True
    # Fetching refuses private, loopback, link-local, multicast and reserved addresses
    # (SSRF); this lets loopback through, for tests that serve pages on 127.0.0.1.
    preview_allow_loopback: bool = False
    # Limits of one fetch (a page, then its image): seconds and bytes.
    preview_connect_timeout: float = 3.0
    preview_read_timeout: float = 5.0
    preview_total_timeout: float = 10.0
    preview_max_bytes: int = 1 << 20  # a page's HTML
    preview_max_image_bytes: int = 5 << 20
    # Media uploads (media/, see README): the largest file accepted (Mastodon's image
    # limit, 16 MiB), checked while the body is read; files per hour per account; v2
    # uploads larger than this are processed by a job (202) instead of while the request
    # waits (200); unattached uploads are removed this many seconds after upload.
    media_max_bytes: int = 16 * 1024 * 1024
    media_uploads_per_hour: int = 60
    media_async_above_bytes: int = 1024 * 1024
    media_unattached_seconds: int = 24 * 3600
    # The processing pool of each process: its size, each worker's address-space limit
    # (RLIMIT_AS) and the time one file may take before its worker is killed.
    media_processes: int = 1
    media_memory_mb: int = 1536
    media_timeout_seconds: float = 30.0
    # An S3-compatible store instead of the local disk (ROOST_DATA_DIR/media) when a
    # bucket is named. The public URL is where clients fetch files from (a CDN or the
    # bucket's own address; default: <endpoint>/<bucket>). An ACL (e.g. public-read) is
    # sent with each file only when set.
    media_s3_bucket: str = ""
    media_s3_endpoint: str = ""
    media_s3_region: str = "us-east-1"
    media_s3_access_key_id: str = ""
    media_s3_secret_access_key: str = ""
    media_s3_public_url: str = ""
    media_s3_acl: str = ""
    # An SMTP server (smtp://[user:password@]host[:port][?starttls=auto|always|never],
    # or smtps:// for TLS from the start) switches on email: sign-up waits for the
    # address to be confirmed, and passwords are reset by mail. Empty: no email at all.
    smtp_url: str = ""
    # The sender of every mail; empty: Roost <notifications@<domain without port>>.
    smtp_from: str = ""

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("ROOST_SMTP_URL must start with smtp:// or smtps://")
        return value

    @field_validator(
        "rate_limits", "access_log", "preview_cards", "preview_allow_loopback", mode="before"
    )
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and value.lower() in {"off", "on"}:
            return value.lower() == "on"
        return value

    @field_validator("rules")
    @classmethod
    def _rule_texts(cls, value: list[str]) -> list[str]:
        if any(not text.strip() for text in value):
            raise ValueError("a rule's text must not be empty")
        return [text.strip() for text in value]

    @property
    def mail_enabled(self) -> bool:
        """Whether Roost sends mail (confirmation at sign-up, password reset)."""
        return bool(self.smtp_url)

    @property
    def mail_sender(self) -> str:
        return self.smtp_from or f"Roost <notifications@{self.domain.split(':')[0]}>"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'roost.sqlite3').resolve()}"

    @property
    def replica_urls(self) -> list[str]:
        return [url.strip() for url in self.database_replica_urls.split(",") if url.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def scheme(self) -> str:
        host = self.domain.split(":")[0]
        return "http" if host in {"localhost", "127.0.0.1", "::1"} else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        if self.scheme == "https":
            raise RuntimeError("ROOST_SECRET_KEY must be set when serving a public domain")
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


_current: Settings | None = None


def use_settings(settings: Settings) -> None:
    """Make ``settings`` the ones ``get_settings()`` returns (the runtime does this)."""
    global _current
    _current = settings


def get_settings() -> Settings:
    """The settings of this process: the runtime's, else read from the environment."""
    return _current or _from_environment()


@lru_cache
def _from_environment() -> Settings:
    return Settings()
