"""(method, path) -> who may call it, for steward/web/api/data_use.py."""

from tests.who import SIGNED_IN

OFFICER = {"privacy_officer"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/me/data-use"): SIGNED_IN,
    ("GET", "/api/v1/dpo/requests/{request_id}/review"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/withhold"): OFFICER,
    ("POST", "/api/v1/dpo/requests/{request_id}/include"): OFFICER,
}
