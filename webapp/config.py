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
    public_url: str = "http://127.0.0.1:5000"  # the site's address, for the tracking link in e-mails
    mail_attachment_max_mb: float = 5.0  # released files larger in all go by the tracking link only

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
            public_url=env.get("PUBLIC_URL") or d.public_url,
            mail_attachment_max_mb=float(env.get("MAIL_ATTACHMENT_MAX_MB") or d.mail_attachment_max_mb),
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
            "PUBLIC_URL": self.public_url,
            "MAIL_ATTACHMENT_MAX_MB": self.mail_attachment_max_mb,
        }


@dataclass(frozen=True)
class SmsSettings:
    """SMS notices and sign-in codes (workers/sms.py). No SMS_PROVIDER: the file sink under DATA_DIR."""

    provider: str = ""  # "" (the sink folder DATA_DIR/smsdrop) | aliyun (阿里云短信服务, its HTTP API)
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""  # the approved signature, 【…】
    template_notice: str = ""  # approved template codes, with the parameters of webapp/domain/sms.py
    template_code: str = ""
    template_access_code: str = ""  # a lost access code made anew: ${number}, ${code}, ${url}
    per_number_per_hour: int = 10  # SMS to one number in an hour at most; later ones wait
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> SmsSettings:
        d = cls()
        provider = (env.get("SMS_PROVIDER") or "").strip().lower()
        if provider not in ("", "aliyun"):
            raise ValueError(f"SMS_PROVIDER must be empty or aliyun, not {provider!r}")
        return cls(
            provider=provider,
            endpoint=env.get("SMS_ENDPOINT") or d.endpoint,
            access_key_id=env.get("SMS_ACCESS_KEY_ID") or "",
            access_key_secret=env.get("SMS_ACCESS_KEY_SECRET") or "",
            sign_name=env.get("SMS_SIGN_NAME") or "",
            template_notice=env.get("SMS_TEMPLATE_NOTICE") or "",
            template_code=env.get("SMS_TEMPLATE_CODE") or "",
            template_access_code=env.get("SMS_TEMPLATE_ACCESS_CODE") or "",
            per_number_per_hour=_positive(env, "SMS_PER_NUMBER_PER_HOUR", d.per_number_per_hour),
            timeout=float(env.get("SMS_TIMEOUT") or d.timeout),
        )

    def flask_config(self) -> dict[str, Any]:
        return {
            "SMS_PROVIDER": self.provider,
            "SMS_ENDPOINT": self.endpoint,
            "SMS_ACCESS_KEY_ID": self.access_key_id,
            "SMS_ACCESS_KEY_SECRET": self.access_key_secret,
            "SMS_SIGN_NAME": self.sign_name,
            "SMS_TEMPLATE_NOTICE": self.template_notice,
            "SMS_TEMPLATE_CODE": self.template_code,
            "SMS_TEMPLATE_ACCESS_CODE": self.template_access_code,
            "SMS_PER_NUMBER_PER_HOUR": self.per_number_per_hour,
            "SMS_TIMEOUT": self.timeout,
        }


STAFF_2FA_MODES = ("admins", "all", "off")


def _flag(value: str | None) -> bool | None:
    """An on/off environment variable; None when unset or empty."""
    if value is None or not value.strip():
        return None
    return value.strip().lower() not in ("0", "false", "no", "off")


def _positive(env: dict[str, str], name: str, default: int) -> int:
    """A whole number above zero from the environment; the default when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number above zero, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class SecuritySettings:
    """Cookies, rate limits (webapp/security.py) and the proxy in front. None: the default of APP_ENV."""

    cookie_secure: bool | None = None  # SESSION_COOKIE_SECURE; default: on in production (HTTPS)
    hsts: bool | None = None  # HSTS; default: on in production
    trusted_proxies: int = 0  # TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For/-Proto to believe
    ratelimit_enabled: bool = True
    ratelimit_storage: str | None = None  # RATELIMIT_STORAGE_URI; default: REDIS_URL, else memory
    # Per client IP. Login and tracking count failed attempts only; submission counts submissions.
    ratelimit_login: str = "10 per minute;30 per hour"
    ratelimit_submission: str = "5 per minute;30 per hour;100 per day"
    ratelimit_tracking: str = "10 per minute;30 per hour;100 per day"
    # Files the applicants upload (web and API, not staff), per client IP and per request.
    ratelimit_upload: str = "30 per hour;100 per day"
    ratelimit_upload_request: str = "10 per 10 minutes;30 per day"
    # Password-reset links asked for (/staff/password/forgot), per client IP, whatever the address.
    ratelimit_password_reset: str = "5 per hour;20 per day"  # noqa: S105 -- a rate, not a password
    # Lost access codes asked for (/track/lost-code, POST /api/v1/access-codes), per client IP and per
    # tracking number, whether or not the number exists.
    ratelimit_access_code: str = "5 per hour;20 per day"
    ratelimit_access_code_request: str = "3 per day"
    # A staff session ends after this long unused, and this long after the login however used.
    staff_session_idle_minutes: int = 30
    staff_session_max_hours: int = 12
    # A citizen's browser sees a request it opened with its access code this long (webapp/web/tracking.py).
    tracking_grant_hours: int = 12
    # STAFF_2FA: who must sign in with a second factor (webapp/domain/two_factor.py): admins (and the
    # officers and heads of agencies that require it), all, or off (a single sign-on in front does it).
    staff_2fa: str = "admins"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> SecuritySettings:
        d = cls()
        enabled = _flag(env.get("RATELIMIT_ENABLED"))
        staff_2fa = (env.get("STAFF_2FA") or d.staff_2fa).strip().lower()
        if staff_2fa not in STAFF_2FA_MODES:
            raise ValueError(f"STAFF_2FA must be one of {', '.join(STAFF_2FA_MODES)}, not {staff_2fa!r}")
        return cls(
            cookie_secure=_flag(env.get("SESSION_COOKIE_SECURE")),
            hsts=_flag(env.get("HSTS")),
            trusted_proxies=int(env.get("TRUSTED_PROXIES") or 0),
            ratelimit_enabled=True if enabled is None else enabled,
            ratelimit_storage=env.get("RATELIMIT_STORAGE_URI") or None,
            ratelimit_login=env.get("RATELIMIT_LOGIN") or d.ratelimit_login,
            ratelimit_submission=env.get("RATELIMIT_SUBMISSION") or d.ratelimit_submission,
            ratelimit_tracking=env.get("RATELIMIT_TRACKING") or d.ratelimit_tracking,
            ratelimit_upload=env.get("RATELIMIT_UPLOAD") or d.ratelimit_upload,
            ratelimit_upload_request=env.get("RATELIMIT_UPLOAD_REQUEST") or d.ratelimit_upload_request,
            ratelimit_password_reset=env.get("RATELIMIT_PASSWORD_RESET") or d.ratelimit_password_reset,
            ratelimit_access_code=env.get("RATELIMIT_ACCESS_CODE") or d.ratelimit_access_code,
            ratelimit_access_code_request=env.get("RATELIMIT_ACCESS_CODE_REQUEST")
            or d.ratelimit_access_code_request,
            staff_session_idle_minutes=_positive(
                env, "STAFF_SESSION_IDLE_MINUTES", d.staff_session_idle_minutes
            ),
            staff_session_max_hours=_positive(env, "STAFF_SESSION_MAX_HOURS", d.staff_session_max_hours),
            tracking_grant_hours=_positive(env, "TRACKING_GRANT_HOURS", d.tracking_grant_hours),
            staff_2fa=staff_2fa,
        )

    def flask_config(self, *, production: bool) -> dict[str, Any]:
        secure = production if self.cookie_secure is None else self.cookie_secure
        config: dict[str, Any] = {
            # Staff log in to the pages with a session cookie: not readable by scripts, not sent on
            # cross-site posts, only over HTTPS in production.
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": secure,
            "HSTS_ENABLED": production if self.hsts is None else self.hsts,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_LOGIN": self.ratelimit_login,
            "RATELIMIT_SUBMISSION": self.ratelimit_submission,
            "RATELIMIT_TRACKING": self.ratelimit_tracking,
            "RATELIMIT_UPLOAD": self.ratelimit_upload,
            "RATELIMIT_UPLOAD_REQUEST": self.ratelimit_upload_request,
            "RATELIMIT_PASSWORD_RESET": self.ratelimit_password_reset,
            "RATELIMIT_ACCESS_CODE": self.ratelimit_access_code,
            "RATELIMIT_ACCESS_CODE_REQUEST": self.ratelimit_access_code_request,
            "STAFF_SESSION_IDLE_MINUTES": self.staff_session_idle_minutes,
            "STAFF_SESSION_MAX_HOURS": self.staff_session_max_hours,
            "TRACKING_GRANT_HOURS": self.tracking_grant_hours,
            "STAFF_2FA": self.staff_2fa,
        }
        if self.ratelimit_storage:
            config["RATELIMIT_STORAGE_URI"] = self.ratelimit_storage
        return config


@dataclass
class Settings:
    env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "instance")
    timezone: str = "Asia/Shanghai"
    workers: WorkerSettings = field(default_factory=WorkerSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    security: SecuritySettings = field(default_factory=lambda: SecuritySettings())
    log_format: str = "text"  # json | text (LOG_FORMAT; json by default in production)
    log_level: str = "INFO"
    metrics_token: str | None = None  # METRICS_TOKEN: who may read /metrics (webapp/ops.py)

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
            sms=SmsSettings.from_env(env),
            security=SecuritySettings.from_env(env),
            log_format=env.get("LOG_FORMAT") or ("json" if env.get("APP_ENV") == "production" else "text"),
            log_level=env.get("LOG_LEVEL") or "INFO",
            metrics_token=env.get("METRICS_TOKEN") or None,
        )

    def flask_config(self) -> dict[str, Any]:
        url = normalise_database_url(self.database_url)
        return {
            "SECRET_KEY": self.secret_key,
            "APP_ENV": self.env,
            "SQLALCHEMY_DATABASE_URI": url,
            # A pooled connection is tested before use, so one the database dropped (a PostgreSQL restart,
            # a failover) is replaced instead of failing the request that draws it.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": self.redis_url,
            "DATA_DIR": str(self.data_dir),
            "ATTACHMENT_DIR": str(self.data_dir / "attachments"),
            "APP_TIMEZONE": self.timezone,
            "WTF_CSRF_TIME_LIMIT": None,  # a form's token lives as long as the browser session
            "LOG_FORMAT": self.log_format,
            "LOG_LEVEL": self.log_level,
            "METRICS_TOKEN": self.metrics_token,
            **self.workers.flask_config(),
            **self.sms.flask_config(),
            **self.security.flask_config(production=self.env == "production"),
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


def ensure_metrics_token(config: dict[str, Any]) -> None:
    """Production refuses to start without METRICS_TOKEN: /metrics is then readable only with it (behind a
    proxy every request comes from the proxy's address, so "only from the loopback" protects nothing)."""
    if config.get("APP_ENV") == "production" and not config.get("METRICS_TOKEN"):
        raise RuntimeError(
            "METRICS_TOKEN must be set in production: Prometheus reads /metrics with "
            "Authorization: Bearer <METRICS_TOKEN>"
        )
