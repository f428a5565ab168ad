"""(method, path) -> who may call it, for steward/web/api/devices.py."""

WHO: dict[tuple[str, str], object] = {}
