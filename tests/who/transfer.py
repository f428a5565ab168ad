"""(method, path) -> who may call it, for steward/web/api/transfers.py."""

ADMIN = {"admin"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/admin/transfers"): ADMIN,
    ("POST", "/api/v1/admin/transfers/announce"): ADMIN,
    ("POST", "/api/v1/admin/transfers/run"): ADMIN,
}
