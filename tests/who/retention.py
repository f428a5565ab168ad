"""(method, path) -> who may call it, for steward/web/api/retention.py."""

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/dpo/holds"): OFFICER,
    ("POST", "/api/v1/dpo/holds"): OFFICER,
    ("POST", "/api/v1/dpo/holds/{hold_id}/release"): OFFICER,
    ("GET", "/api/v1/dpo/retention/plan"): OFFICER,
    ("GET", "/api/v1/dpo/retention/runs"): OFFICER,
}
