"""Settings from `STEWARD_` environment variables; the embedded default needs none."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARD_", extra="ignore")

    database_url: str = "sqlite:///./steward.db"
    policy: Path = Path("./policy.yaml")
    key_file: Path = Path("./steward.key")
    files_dir: Path = Path("./files")  # attachments and call recordings, encrypted
    smtp_url: str = "smtp://127.0.0.1:1025"
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    allow_private_push: bool = False  # portability pushes to private or loopback addresses
    outbound_ca_file: Path | None = None  # extra CA bundle trusted for webhooks (PEM)


@lru_cache
def get_settings() -> Settings:
    return Settings()
