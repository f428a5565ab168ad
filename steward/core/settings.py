"""Settings from `STEWARD_` environment variables; the embedded default needs none."""

import re
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
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

    @property
    def audit_checkpoints_file(self) -> Path:
        return self.audit_checkpoints or self.key_file.parent / "audit-checkpoints.jsonl"

    @field_validator("banner_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (o.strip() for o in value.split(","))):
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"'{origin}' is not an origin: write scheme and host only, like "
                    "https://www.example.com (no path, no trailing slash)"
                )
        return value

    @property
    def banner_origin_list(self) -> list[str]:
        return [o.strip() for o in self.banner_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
