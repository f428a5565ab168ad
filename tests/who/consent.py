"""(method, path) -> who may call it, for steward/web/api/consent.py."""

from tests.who import PUBLIC, SIGNED_IN  # noqa: F401

WHO: dict[tuple[str, str], object] = {}
