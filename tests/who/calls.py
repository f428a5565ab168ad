"""(method, path) -> who may call it, for steward/web/api/calls.py."""

DESK = {"agent", "admin"}
READERS = {"customer", "agent", "admin"}

WHO: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/calls"): DESK,
    ("GET", "/api/v1/calls"): READERS,
    ("GET", "/api/v1/calls/{call_id}"): READERS,
    ("PATCH", "/api/v1/calls/{call_id}"): DESK,
    ("DELETE", "/api/v1/calls/{call_id}"): {"admin"},
    ("POST", "/api/v1/calls/{call_id}/recording"): DESK,
    ("GET", "/api/v1/calls/{call_id}/recording"): {"call_reviewer", "privacy_officer"},
    ("DELETE", "/api/v1/calls/{call_id}/recording"): {"privacy_officer"},
    ("GET", "/api/v1/recordings"): {"call_reviewer", "privacy_officer"},
    ("POST", "/api/v1/remote-sessions"): DESK,
    ("GET", "/api/v1/remote-sessions"): READERS,
    ("GET", "/api/v1/remote-sessions/{remote_session_id}"): READERS,
    ("PATCH", "/api/v1/remote-sessions/{remote_session_id}"): DESK,
    ("POST", "/api/v1/remote-sessions/{remote_session_id}/end"): DESK,
    ("DELETE", "/api/v1/remote-sessions/{remote_session_id}"): {"admin"},
}
