"""The privacy officer searches the audit trail over HTTP; nobody else may."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.people import customer, enrol_mfa, staff


@pytest.fixture
def officer(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "dpo@example.com", "privacy_officer")
    enrol_mfa(browser)
    return browser


@pytest.mark.promise("X3")
def test_the_privacy_officer_finds_every_access_to_a_person(officer, new_client, mailbox):
    shopper = new_client()
    me = customer(shopper, mailbox, "ada@example.com")
    shopper.get("/api/v1/me")
    shopper.patch("/api/v1/me", json={"phone": "+1 555 0101"})
    person = shopper.get("/api/v1/me").json()["person_id"]

    found = officer.get("/api/v1/audit", params={"person": person})
    assert found.status_code == 200, found.text
    entries = found.json()["items"]
    assert entries and all(e["person_id"] == person for e in entries)
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    assert {"read", "update"} <= {e["action"] for e in entries}
    assert "+1 555 0101" not in found.text and "ada@example.com" not in found.text
    assert me  # signed in as the customer above

    by_actor = officer.get("/api/v1/audit", params={"actor": entries[0]["actor"]}).json()["items"]
    assert by_actor and {e["actor"] for e in by_actor} == {entries[0]["actor"]}
    by_purpose = officer.get("/api/v1/audit", params={"purpose": "essential.service"}).json()[
        "items"
    ]
    assert by_purpose and {e["purpose"] for e in by_purpose} == {"essential.service"}
    later = (clock.now() + timedelta(hours=1)).isoformat()
    assert officer.get("/api/v1/audit", params={"since": later}).json() == {
        "items": [],
        "next_offset": None,
        "next_before": None,
    }
    # Paging (searches are recorded too, so page over one purpose, which they do not name).
    wanted = {"person": person, "purpose": "essential.service"}
    every = officer.get("/api/v1/audit", params=wanted).json()
    assert len(every["items"]) > 1 and every["next_before"] is None
    page = officer.get("/api/v1/audit", params={**wanted, "limit": 1}).json()
    assert page["next_offset"] is None  # the trail grows while it is read: it pages by `before`
    assert page["next_before"] == page["items"][0]["id"]
    rest = officer.get("/api/v1/audit", params={**wanted, "before": page["next_before"]}).json()
    assert rest["next_before"] is None
    assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in every["items"]]


def test_searching_the_trail_is_itself_recorded(officer):
    officer.get("/api/v1/audit", params={"purpose": "essential.service"})
    mine = officer.get("/api/v1/audit").json()["items"]
    assert any(e["action"] == "audit_search" for e in mine)


@pytest.mark.promise("X2")
def test_only_the_privacy_officer_may_search_the_trail(admin, client, new_client, mailbox):
    assert admin.get("/api/v1/audit").status_code == 403
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    assert shopper.get("/api/v1/audit").status_code == 403
    assert new_client().get("/api/v1/audit").status_code == 401
