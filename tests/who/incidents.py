"""(method, path) -> who may call it, for steward/web/api/incidents.py (the breach register)."""

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/dpo/incidents"): OFFICER,
    ("POST", "/api/v1/dpo/incidents"): OFFICER,
    ("GET", "/api/v1/dpo/incidents/{incident_id}"): OFFICER,
    ("PATCH", "/api/v1/dpo/incidents/{incident_id}"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/duties"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/close"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/tasks"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/tasks/{task_id}/done"): OFFICER,
}
