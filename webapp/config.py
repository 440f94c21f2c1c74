"""Settings: the embedded default (SQLite, no Redis) unless the environment names real services."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WorkerSettings:
    """The Celery workers (workers/): mail out, beat intervals, relay retries. Defaults: the embedded mode."""

    smtp_host: str | None = None  # unset: notices go to the mail drop folder under DATA_DIR
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "gov-disclosure@localhost"
    smtp_security: str = "none"  # none | starttls | ssl (default: ssl on 465, starttls on 587)
    smtp_timeout: float = 30.0
    celery_queue: str = "gov-disclosure"
    sweep_interval: float = 300.0
    relay_interval: float = 5.0
    mail_poll_interval: float = 60.0
    notice_lease: float = 300.0  # longer than one SMTP send may take (a few commands × SMTP_TIMEOUT)
    notice_max_attempts: int = 8
    notice_retry_base: float = 60.0  # doubled after each failed attempt, at most an hour
    due_soon_days: int = 3  # working days before the due date that count as "due soon"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> WorkerSettings:
        port = int(env.get("SMTP_PORT") or 25)
        default_security = {465: "ssl", 587: "starttls"}.get(port, "none")
        d = cls()
        return cls(
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=port,
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM") or d.smtp_from,
            smtp_security=env.get("SMTP_SECURITY") or default_security,
            smtp_timeout=float(env.get("SMTP_TIMEOUT") or d.smtp_timeout),
            celery_queue=env.get("CELERY_QUEUE") or d.celery_queue,
            sweep_interval=float(env.get("SWEEP_INTERVAL_SECONDS") or d.sweep_interval),
            relay_interval=float(env.get("NOTICE_RELAY_INTERVAL_SECONDS") or d.relay_interval),
            mail_poll_interval=float(env.get("MAIL_POLL_INTERVAL_SECONDS") or d.mail_poll_interval),
            notice_lease=float(env.get("NOTICE_LEASE_SECONDS") or d.notice_lease),
            notice_max_attempts=int(env.get("NOTICE_MAX_ATTEMPTS") or d.notice_max_attempts),
            notice_retry_base=float(env.get("NOTICE_RETRY_BASE_SECONDS") or d.notice_retry_base),
            due_soon_days=int(env.get("DUE_SOON_WORKING_DAYS") or d.due_soon_days),
        )

    def flask_config(self) -> dict[str, Any]:
        return {
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USER": self.smtp_user,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_FROM": self.smtp_from,
            "SMTP_SECURITY": self.smtp_security,
            "SMTP_TIMEOUT": self.smtp_timeout,
            "CELERY_QUEUE": self.celery_queue,
            "SWEEP_INTERVAL_SECONDS": self.sweep_interval,
            "NOTICE_RELAY_INTERVAL_SECONDS": self.relay_interval,
            "MAIL_POLL_INTERVAL_SECONDS": self.mail_poll_interval,
            "NOTICE_LEASE_SECONDS": self.notice_lease,
            "NOTICE_MAX_ATTEMPTS": self.notice_max_attempts,
            "NOTICE_RETRY_BASE_SECONDS": self.notice_retry_base,
            "DUE_SOON_WORKING_DAYS": self.due_soon_days,
        }


@dataclass
class Settings:
    env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "instance")
    timezone: str = "Asia/Shanghai"
    workers: WorkerSettings = field(default_factory=WorkerSettings)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("DATA_DIR", str(PROJECT_DIR / "instance")))
        return cls(
            env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'disclosure.db'}",
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("SECRET_KEY", ""),
            data_dir=data_dir,
            workers=WorkerSettings.from_env(env),
        )

    def flask_config(self) -> dict[str, Any]:
        url = normalise_database_url(self.database_url)
        return {
            "SECRET_KEY": self.secret_key,
            "APP_ENV": self.env,
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": self.redis_url,
            "DATA_DIR": str(self.data_dir),
            "ATTACHMENT_DIR": str(self.data_dir / "attachments"),
            "APP_TIMEZONE": self.timezone,
            # Staff log in to the pages with a session cookie: not readable by scripts, not sent on
            # cross-site posts, only over HTTPS in production.
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "WTF_CSRF_TIME_LIMIT": None,  # a form's token lives as long as the browser session
            **self.workers.flask_config(),
        }


def normalise_database_url(url: str) -> str:
    """postgresql:// and postgres:// URLs use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def ensure_secret_key(config: dict[str, Any]) -> None:
    """No insecure default: production refuses to start without SECRET_KEY; elsewhere a random key is
    generated once and kept in the data directory (readable by its owner only)."""
    if config.get("SECRET_KEY"):
        return
    if config.get("APP_ENV") == "production":
        raise RuntimeError("SECRET_KEY must be set in production")
    path = Path(config["DATA_DIR"]) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        log.warning("SECRET_KEY not set: generated one in %s for this installation", path)
    config["SECRET_KEY"] = path.read_text().strip()
