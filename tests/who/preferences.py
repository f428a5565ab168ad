"""(method, path) -> who may call it, for steward/web/api/preferences.py."""

from tests.who import SIGNED_IN

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/me/preferences"): SIGNED_IN,
    ("PUT", "/api/v1/me/preferences"): SIGNED_IN,
    ("POST", "/api/v1/service-messages"): {"admin"},
    ("POST", "/api/v1/marketing-messages"): {"admin"},
}
