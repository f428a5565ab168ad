"""(method, path) -> who may call it, for steward/web/api/billing.py."""

WHO: dict[tuple[str, str], object] = {}
