"""(method, path) -> who may call it, for steward/web/api/rights.py."""

from tests.who import PUBLIC, SIGNED_IN

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/rights"): PUBLIC,
    ("GET", "/api/v1/rights/{reference}"): PUBLIC,
    ("POST", "/api/v1/rights/{reference}/verify"): PUBLIC,
    ("POST", "/api/v1/rights/{reference}/code"): PUBLIC,
    ("POST", "/api/v1/rights/{reference}/data-points"): PUBLIC,
    ("POST", "/api/v1/rights/{reference}/document"): PUBLIC,
    ("GET", "/api/v1/me/rights"): SIGNED_IN,
    ("GET", "/api/v1/dpo/requests"): OFFICER,
    ("POST", "/api/v1/dpo/requests"): OFFICER,
    ("GET", "/api/v1/dpo/requests/{request_id}"): OFFICER,
    ("GET", "/api/v1/dpo/requests/{request_id}/documents/{file_id}"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/verify"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/code"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/identity-check"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/extend"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/refuse"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/answer"): OFFICER,
}
