"""(method, path) -> who may call it, for steward/web/api/incident_impact.py."""

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/dpo/incidents/{incident_id}/affected/preview"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/affected"): OFFICER,
    ("GET", "/api/v1/dpo/incidents/{incident_id}/affected"): OFFICER,
}
