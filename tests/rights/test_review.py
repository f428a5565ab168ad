"""The officer's review of an access export (GDPR Art. 15(4)): what it holds, the items naming
other people, withholding one with a recorded reason (audited), and the report naming the
withholding by kind and reason, never its content."""

import io
import json
import zipfile

import pytest

from tests.rights.work import verified_request
from tests.web.page_helpers import post_form


def _ticket_with_a_staff_note(team) -> tuple[str, dict]:
    ada, ada_id = team.customer("ada")
    agent = team["agent"]
    ticket = ada.post("/api/v1/tickets", json={"subject": "Invoice", "body": "Wrong total."}).json()
    note = agent.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        json={"body": "Her colleague Bob Marsh filed the same.", "visibility": "internal"},
    )
    assert note.status_code == 201, note.text
    return ada_id, note.json()


@pytest.mark.promise("R1")
def test_the_officer_withholds_an_item_naming_someone_else_and_the_report_says_so(
    team, app, mailbox, client, audit_rows
):
    officer = team["privacy_officer"]
    ada_id, note = _ticket_with_a_staff_note(team)
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")

    review = officer.get(f"/api/v1/dpo/requests/{request_id}/review")
    assert review.status_code == 200, review.text
    found = review.json()
    assert found["tables"]["messages"] == 2 and found["tables"]["people"] == 1
    item = next(i for i in found["items"] if i["item"] == f"messages:{note['id']}")
    assert item["kind"] == "an internal note" and item["names"] == ["a support agent"]
    assert f"messages:{note['id']}" in [i["item"] for i in found["items"]]

    withheld = officer.post(
        f"/api/v1/dpo/requests/{request_id}/withhold",
        json={"item": f"messages:{note['id']}", "reason": "others_data"},
    )
    assert withheld.status_code == 200, withheld.text
    assert withheld.json()["withheld"] == 1
    again = officer.post(
        f"/api/v1/dpo/requests/{request_id}/withhold",
        json={"item": f"messages:{note['id']}", "reason": "others_data"},
    )
    assert again.status_code == 409
    token = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={}).json()["token"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )

    exported = archive.read("export.json").decode()
    report = archive.read("report.html").decode()
    assert "Bob Marsh" not in exported and "Bob Marsh" not in report
    assert "Wrong total." in exported  # the rest is released
    assert json.loads(exported)["withheld"] == [
        {"what": "message", "reason": "It would reveal another person's personal data."}
    ]
    assert "What we withheld" in report and "reveal another person" in report
    actions = [row["action"] for row in audit_rows() if row["person_id"] == ada_id]
    assert "export_review" in actions and "export_withhold" in actions


def test_only_items_of_the_export_can_be_withheld_and_only_by_the_officer(team, app):
    officer = team["privacy_officer"]
    ada_id, note = _ticket_with_a_staff_note(team)
    team.customer("eve")
    eve_ticket = (
        team["eve"].post("/api/v1/tickets", json={"subject": "Eve's", "body": "Hello."}).json()
    )
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    url = f"/api/v1/dpo/requests/{request_id}/withhold"

    for item in (f"tickets:{eve_ticket['id']}", "people:nope", "nowhere:1", "tickets:x"):
        answer = officer.post(url, json={"item": item, "reason": "others_data"})
        assert answer.status_code == 404, (item, answer.text)
    item = {"item": f"messages:{note['id']}", "reason": "others_data"}
    assert team["agent"].post(url, json=item).status_code == 403
    assert officer.post(url, json={**item, "reason": "because"}).status_code == 422
    portable_id, _ = verified_request(app, "portability", ada_id, "ada@example.com")
    assert (
        officer.get(f"/api/v1/dpo/requests/{portable_id}/review").status_code == 422
    )  # a portable copy is what the person gave: nothing of others to review


def test_the_request_page_shows_the_review_and_withholds_by_form(team, app):
    officer = team["privacy_officer"]
    ada_id, note = _ticket_with_a_staff_note(team)
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")

    page = officer.get(f"/dpo/requests/{request_id}")
    assert page.status_code == 200, page.text
    assert "Review the export before it is released" in page.text
    assert "An internal note" in page.text and "everything about you" in page.text
    answer = post_form(
        officer,
        f"/dpo/requests/{request_id}/withhold",
        {"item": f"messages:{note['id']}", "reason": "others_data"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    shown = officer.get(answer.headers["location"]).text
    assert "Withheld: It would reveal another person" in shown


@pytest.mark.promise("R1")
def test_an_export_naming_others_is_released_only_after_the_officers_review(team, app):
    officer = team["privacy_officer"]
    ada_id, _ = _ticket_with_a_staff_note(team)
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")

    early = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
    assert early.status_code == 409
    assert "review it first" in early.json()["detail"]
    assert officer.get(f"/api/v1/dpo/requests/{request_id}").json()["status"] == "open"

    assert officer.get(f"/api/v1/dpo/requests/{request_id}/review").status_code == 200
    released = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
    assert released.status_code == 200, released.text
    steps = [
        e["step"] for e in officer.get(f"/api/v1/dpo/requests/{request_id}").json()["timeline"]
    ]
    assert steps.index("reviewed") < steps.index("export_built")


@pytest.mark.promise("R1")
def test_a_withholding_can_be_undone_and_the_item_is_released_again(team, app, client, audit_rows):
    officer = team["privacy_officer"]
    ada_id, note = _ticket_with_a_staff_note(team)
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    item = f"messages:{note['id']}"
    base = f"/api/v1/dpo/requests/{request_id}"
    assert (
        officer.post(f"{base}/withhold", json={"item": item, "reason": "others_data"}).status_code
        == 200
    )

    undone = post_form(
        officer, f"/dpo/requests/{request_id}/withhold", {"item": item, "reason": "include"}
    )

    assert undone.status_code == 200 and "The item is in the export again." in undone.text
    assert officer.get(f"{base}/review").json()["withheld"] == 0
    assert officer.post(f"{base}/include", json={"item": item}).status_code == 404
    token = officer.post(f"{base}/fulfil", json={}).json()["token"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )
    exported = json.loads(archive.read("export.json"))
    assert "Bob Marsh" in archive.read("export.json").decode() and exported["withheld"] == []
    actions = [row["action"] for row in audit_rows() if row["person_id"] == ada_id]
    assert "export_include" in actions
