"""(method, path) -> who may call it, for steward/web/api/organisations.py."""

WHO: dict[tuple[str, str], object] = {}
