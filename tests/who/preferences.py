"""(method, path) -> who may call it, for steward/web/api/preferences.py."""

WHO: dict[tuple[str, str], object] = {}
