"""(method, path) -> who may call it, for steward/web/api/devices.py."""

DESK = {"agent", "admin"}
READERS = {"agent", "admin", "customer"}  # customers: their organisations' and their own

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/devices"): READERS,
    ("POST", "/api/v1/devices"): DESK,
    ("GET", "/api/v1/devices/{device_id}"): READERS,
    ("PATCH", "/api/v1/devices/{device_id}"): DESK,
    ("DELETE", "/api/v1/devices/{device_id}"): DESK,
    ("GET", "/api/v1/devices/{device_id}/telemetry"): READERS,
    ("POST", "/api/v1/devices/{device_id}/telemetry"): DESK,
    ("GET", "/api/v1/service-records"): READERS,
    ("POST", "/api/v1/service-records"): DESK,
    ("GET", "/api/v1/service-records/{record_id}"): READERS,
    ("PATCH", "/api/v1/service-records/{record_id}"): DESK,
    ("DELETE", "/api/v1/service-records/{record_id}"): DESK,
    ("GET", "/api/v1/maintenance-schedules"): READERS,
    ("POST", "/api/v1/maintenance-schedules"): DESK,
    ("GET", "/api/v1/maintenance-schedules/{schedule_id}"): READERS,
    ("PATCH", "/api/v1/maintenance-schedules/{schedule_id}"): DESK,
    ("DELETE", "/api/v1/maintenance-schedules/{schedule_id}"): DESK,
}
