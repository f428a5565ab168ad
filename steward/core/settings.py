"""Settings from `STEWARD_` environment variables; the embedded default needs none."""

import ipaddress
import re
from functools import lru_cache
from pathlib import Path

from pydantic import PositiveInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARD_", extra="ignore")

    database_url: str = "sqlite:///./steward.db"
    policy: Path = Path("./policy.yaml")
    key_file: Path = Path("./steward.key")
    files_dir: Path = Path("./files")  # attachments and call recordings, encrypted
    # The audit trail's signed checkpoints, one JSON line each, kept outside the database;
    # by default next to the key file. The operator ships it elsewhere.
    audit_checkpoints: Path | None = None
    smtp_url: str = "smtp://127.0.0.1:1025"
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    allow_private_push: bool = False  # portability pushes to private or loopback addresses
    outbound_ca_file: Path | None = None  # extra CA bundle trusted for webhooks (PEM)
    # The websites that embed the cookie banner, comma-separated (https://www.example.com):
    # they may call the banner's own endpoints from their pages (CORS), nothing else.
    banner_origins: str = ""
    # Backups the worker takes (docs/operations.md): where, when (a crontab line in UTC, or
    # "off"), how many kept. A restore test of the newest runs each week while they are on.
    backup_dir: Path = Path("./backups")
    backup_schedule: str = "30 1 * * *"
    backup_keep: PositiveInt = 7
    # The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, as
    # comma-separated addresses or networks (127.0.0.1,10.0.0.0/8); none by default, so a
    # client cannot choose the address the sign-in throttle counts it under.
    trusted_proxies: str = ""

    @property
    def audit_checkpoints_file(self) -> Path:
        return self.audit_checkpoints or self.key_file.parent / "audit-checkpoints.jsonl"

    @field_validator("banner_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in _items(value):
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"'{origin}' is not an origin: write scheme and host only, like "
                    "https://www.example.com (no path, no trailing slash)"
                )
        return value

    @field_validator("backup_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if value.strip().lower() == "off":
            return "off"
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError:
            raise ValueError(
                f"'{value}' is not a crontab line (minute hour day month weekday, UTC, "
                "like 30 1 * * *) nor off"
            ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for proxy in _items(value):
            try:
                ipaddress.ip_network(proxy)
            except ValueError:
                raise ValueError(
                    f"'{proxy}' is not an IP address or network: write addresses like "
                    "127.0.0.1 or networks like 10.0.0.0/8"
                ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _items(self.trusted_proxies)

    @property
    def banner_origin_list(self) -> list[str]:
        return _items(self.banner_origins)


def _items(value: str) -> list[str]:
    """The entries of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
