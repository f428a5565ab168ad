"""The consent API: the banner's choices, current choices, GPC, receipts and history (C1, C2,
R10)."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.consent.kit import TEXT, choose, ledger_rows, new_browser_id
from tests.desk.team import Team

GPC = {"Sec-GPC": "1"}


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


@pytest.mark.promise("C1")
def test_a_visitors_choice_is_answered_with_a_new_browser_id_and_read_back(new_client):
    visitor = new_client()
    answer = choose(visitor, {"essential": True, "analytics": False, "functional": True})
    browser_id = answer["browser_id"]
    assert uuid.UUID(browser_id)
    assert answer["choices"] == {"essential": True, "analytics": False, "functional": True}
    assert answer["policy_version"] == "1.0"

    again = visitor.get("/api/v1/consent", params={"browser_id": browser_id})
    assert again.status_code == 200
    assert again.json() == answer


@pytest.mark.promise("C1")
def test_a_browser_that_never_chose_has_only_essential_and_no_version(client):
    answer = client.get("/api/v1/consent", params={"browser_id": new_browser_id()}).json()
    assert answer["choices"] == {"essential": True}
    assert answer["policy_version"] is None


@pytest.mark.promise("C1")
@pytest.mark.parametrize(
    ("choices", "says"),
    [({"tracking": True}, "tracking"), ({"essential": False}, "Essential")],
)
def test_unknown_categories_and_essential_switched_off_are_refused(app, client, choices, says):
    browser_id = new_browser_id()
    body = {"browser_id": browser_id, "choices": choices, "policy_version": "1.0"}
    answer = client.post("/api/v1/consent", json={**body, "text_sha256": TEXT})
    assert answer.status_code == 422
    assert says in answer.json()["detail"]
    assert ledger_rows(app, browser_id) == []


def test_a_choice_without_the_text_hash_or_with_extra_fields_is_refused(client):
    body = {"choices": {"analytics": True}, "policy_version": "1.0"}
    assert client.post("/api/v1/consent", json=body).status_code == 422
    bad = {**body, "text_sha256": "not a hash"}
    assert client.post("/api/v1/consent", json=bad).status_code == 422
    extra = {**body, "text_sha256": TEXT, "email": "ada@example.com"}
    assert client.post("/api/v1/consent", json=extra).status_code == 422


@pytest.mark.promise("C2")
def test_a_signed_in_callers_choice_is_recorded_for_the_person_too(app, team):
    ada, ada_id = team.customer("ada")
    browser_id = new_browser_id()
    choose(ada, {"analytics": True, "functional": False}, browser_id=browser_id)

    people = ledger_rows(app, ada_id)
    assert {(r.purpose, r.choice) for r in people} == {
        ("analytics", "given"),
        ("functional", "withdrawn"),
    }
    assert all(r.person_id == ada_id and r.browser_id == browser_id for r in people)
    assert all(r.person_id is None for r in ledger_rows(app, browser_id))

    history = ada.get("/api/v1/me/consent")
    assert history.status_code == 200
    items = history.json()["items"]
    assert {(i["purpose"], i["choice"], i["policy_version"]) for i in items} == {
        ("analytics", "given", "1.0"),
        ("functional", "withdrawn", "1.0"),
    }
    assert all(i["method"] == "banner" and i["text_sha256"] == TEXT for i in items)


def test_a_signed_in_choice_without_the_csrf_token_is_refused(app, team):
    ada, ada_id = team.customer("ada")
    body = {"choices": {"analytics": True}, "policy_version": "1.0", "text_sha256": TEXT}
    answer = ada.post("/api/v1/consent", json=body, headers={"X-CSRF-Token": ""})
    assert answer.status_code == 403
    assert ledger_rows(app, ada_id) == []


def test_someone_elses_history_is_not_in_yours(team):
    ada, _ = team.customer("ada")
    bob, _ = team.customer("bob")
    choose(ada, {"analytics": True})
    assert bob.get("/api/v1/me/consent").json()["items"] == []


@pytest.mark.promise("R10")
def test_a_global_privacy_control_signal_withdraws_analytics_and_sale(app, new_client):
    visitor = new_client()
    browser_id = new_browser_id()
    answer = choose(
        visitor,
        {"analytics": True, "performance": True, "functional": True},
        browser_id=browser_id,
        headers=GPC,
    )
    assert answer["choices"] == {
        "essential": True,
        "functional": True,
        "analytics": False,
        "performance": False,
    }
    rows = {r.purpose: r for r in ledger_rows(app, browser_id)}
    assert rows["functional"].method == "banner" and rows["functional"].choice == "given"
    for purpose in ("analytics", "performance", "sale"):
        assert rows[purpose].method == "signal" and rows[purpose].choice == "withdrawn"


@pytest.mark.promise("C2")
def test_a_receipt_shows_the_record_in_the_iso_27560_structure(app, new_client):
    visitor = new_client()
    browser_id = new_browser_id()
    choose(visitor, {"analytics": True, "functional": False}, browser_id=browser_id)
    event = next(r for r in ledger_rows(app, browser_id) if r.purpose == "analytics")

    answer = visitor.get(f"/api/v1/consent/receipts/{event.id}", params={"browser_id": browser_id})
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert receipt["schemaVersion"] == "ISO/IEC TS 27560:2023"
    assert receipt["recordId"] == event.id
    assert receipt["piiPrincipalId"] == browser_id
    assert receipt["timestamp"].endswith("Z")
    assert receipt["notice"] == {"policyVersion": "1.0", "textSha256": TEXT}
    assert receipt["method"] == "banner"
    assert receipt["purposes"][0]["purpose"] == "analytics"
    assert receipt["purposes"][0]["purposeKey"] == "analytics.reporting"
    assert receipt["purposes"][0]["consentStatus"] == "given"
    assert {p["purpose"]: p["consentStatus"] for p in receipt["purposes"]} == {
        "analytics": "given",
        "functional": "withdrawn",
    }
    policy = app.state.active_policy.policy
    assert receipt["jurisdiction"] == list(policy.jurisdictions)
    assert receipt["controller"]["piiController"] == policy.controller.legal_name


def test_a_receipt_is_shown_only_to_its_browser_or_its_person(app, team, new_client):
    visitor = new_client()
    browser_id = new_browser_id()
    choose(visitor, {"analytics": True}, browser_id=browser_id)
    event = ledger_rows(app, browser_id)[0]
    url = f"/api/v1/consent/receipts/{event.id}"
    assert visitor.get(url).status_code == 404
    assert visitor.get(url, params={"browser_id": new_browser_id()}).status_code == 404

    ada, ada_id = team.customer("ada")
    choose(ada, {"analytics": True}, browser_id=new_browser_id())
    hers = ledger_rows(app, ada_id)[0]
    assert ada.get(f"/api/v1/consent/receipts/{hers.id}").status_code == 200
    assert ada.get(url).status_code == 404
    bob, _ = team.customer("bob")
    assert bob.get(f"/api/v1/consent/receipts/{hers.id}").status_code == 404


@pytest.mark.promise("C2")
def test_the_ip_address_is_recorded_only_as_its_network(app):
    with TestClient(app, client=("203.0.113.77", 50000)) as visitor:
        browser_id = choose(visitor, {"analytics": True})["browser_id"]
    assert [r.ip_prefix for r in ledger_rows(app, browser_id)] == ["203.0.113.0/24"]


@pytest.mark.promise("R10")
def test_the_site_declares_that_it_honours_global_privacy_control(app, client):
    answer = client.get("/.well-known/gpc.json")
    assert answer.status_code == 200
    effective = app.state.active_policy.policy.effective_date.isoformat()
    assert answer.json() == {"gpc": True, "lastUpdate": effective}
