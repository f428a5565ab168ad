"""(method, path) -> who may call it, for steward/web/api/tickets.py."""

WHO: dict[tuple[str, str], object] = {}
