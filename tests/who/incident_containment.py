"""(method, path) -> who may call it, for containing an incident (X6)."""

WHO = {
    ("GET", "/api/v1/dpo/incidents/{incident_id}/containment"): {"privacy_officer"},
    ("POST", "/api/v1/dpo/incidents/{incident_id}/containment/{step}"): {"privacy_officer"},
}
