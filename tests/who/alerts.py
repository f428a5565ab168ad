"""(method, path) -> who may call it, for steward/web/api/alerts.py."""

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/dpo/alerts"): OFFICER,
    ("POST", "/api/v1/dpo/alerts/{alert_id}/dismiss"): OFFICER,
    ("POST", "/api/v1/dpo/alerts/{alert_id}/incident"): OFFICER,
}
