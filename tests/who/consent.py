"""(method, path) -> who may call it, for steward/web/api/consent.py."""

from tests.who import PUBLIC, SIGNED_IN

WHO: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/consent"): PUBLIC,
    ("GET", "/api/v1/consent"): PUBLIC,
    ("GET", "/api/v1/consent/receipts/{event_id}"): PUBLIC,
    ("GET", "/api/v1/me/consent"): SIGNED_IN,
    ("POST", "/api/v1/events"): PUBLIC,
}
