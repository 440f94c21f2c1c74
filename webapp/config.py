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


@dataclass
class Settings:
    env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "instance")
    timezone: str = "Asia/Shanghai"

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
            "JSON_AS_ASCII": False,
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
