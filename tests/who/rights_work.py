"""(method, path) -> who may call it, for steward/web/api/rights_work.py."""

from tests.who import PUBLIC, SIGNED_IN

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/dpo/requests/{request_id}/preview"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/fulfil"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/cancel"): OFFICER,
    ("POST", "/api/v1/dpo/people/{person_id}/lift-restriction"): OFFICER,
    ("POST", "/api/v1/rights/download"): PUBLIC,
    ("POST", "/api/v1/rights/{reference}/push"): PUBLIC,
    ("POST", "/api/v1/me/rights/{reference}/cancel"): SIGNED_IN,
    ("GET", "/api/v1/rights/signing-key"): PUBLIC,
}
