"""(method, path) -> who may call it, for steward/web/api/incident_notices.py."""

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/dpo/incidents/{incident_id}/report"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/report/phases"): OFFICER,
    ("GET", "/api/v1/dpo/incidents/{incident_id}/notices"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/notices"): OFFICER,
    ("POST", "/api/v1/dpo/incidents/{incident_id}/notices/ag-sample"): OFFICER,
}
