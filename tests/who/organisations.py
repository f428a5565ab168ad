"""(method, path) -> who may call it, for steward/web/api/organisations.py."""

from tests.who import SIGNED_IN

DESK = {"agent", "admin"}
READERS = {"agent", "admin", "billing", "customer"}  # customers: their own organisations
DIRECTORY = {"agent", "admin", "billing"}

WHO: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/organisations"): READERS,
    ("POST", "/api/v1/organisations"): DESK,
    ("GET", "/api/v1/organisations/{organisation_id}"): READERS,
    ("PATCH", "/api/v1/organisations/{organisation_id}"): DESK,
    ("DELETE", "/api/v1/organisations/{organisation_id}"): DESK,
    ("POST", "/api/v1/organisations/{organisation_id}/end-contract"): DESK,
    ("GET", "/api/v1/organisations/{organisation_id}/members"): {"agent", "admin", "customer"},
    # staff, or a contact of the organisation adding an end user (D2)
    ("POST", "/api/v1/organisations/{organisation_id}/members"): SIGNED_IN,
    ("PATCH", "/api/v1/organisations/{organisation_id}/members/{person_id}"): DESK,
    ("DELETE", "/api/v1/organisations/{organisation_id}/members/{person_id}"): DESK,
    ("GET", "/api/v1/people"): DIRECTORY,
    ("POST", "/api/v1/people"): DESK,
    ("GET", "/api/v1/people/{person_id}"): DIRECTORY,
    ("PATCH", "/api/v1/people/{person_id}"): DESK,
}
