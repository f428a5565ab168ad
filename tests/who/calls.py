"""(method, path) -> who may call it, for steward/web/api/calls.py."""

WHO: dict[tuple[str, str], object] = {}
