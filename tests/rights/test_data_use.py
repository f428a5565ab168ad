"""Who used my data (GDPR Art. 15(1)(c), CCPA categories of third parties): the signed-in
person sees, from the audit trail, which roles read or changed their data, why, how often and
when, and which recipients were told what; staff by role, never by name; nobody else's
entries. The same summary is in the access export."""

import io
import json
import zipfile

import pytest

from steward.core import clock
from steward.rights.models import Disclosure
from tests.rights.work import db, fulfil, verified_request


def _busy_day(team, app) -> tuple[str, str]:
    ada, ada_id = team.customer("ada")
    bob, bob_id = team.customer("bob")
    agent = team["agent"]
    mine = ada.post("/api/v1/tickets", json={"subject": "Fan", "body": "Loud."}).json()
    theirs = bob.post("/api/v1/tickets", json={"subject": "Toner", "body": "Empty."}).json()
    assert agent.get(f"/api/v1/tickets/{mine['id']}").status_code == 200
    for _ in range(3):
        assert agent.get(f"/api/v1/tickets/{theirs['id']}").status_code == 200
    with db(app) as session:
        session.add(
            Disclosure(
                person_id=ada_id,
                recipient="stripe",
                categories=json.dumps(["user.financial"]),
                reason="processor_notice",
                at=clock.now(),
            )
        )
        session.commit()
    return ada_id, bob_id


@pytest.mark.promise("R1", "X3")
def test_the_person_sees_roles_and_purposes_of_every_use_and_nobody_elses(team, app, audit_rows):
    ada_id, bob_id = _busy_day(team, app)
    ada = team.browsers["ada"]

    answer = ada.get("/api/v1/me/data-use")

    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert set(page) == {"items", "next_offset"}
    staff = [u for u in page["items"] if u["kind"] == "staff"]
    assert "Support agents" in {u["who"] for u in staff}
    looked = next(u for u in staff if u["who"] == "Support agents" and u["did"] == "looked at it")
    assert looked["purpose"] and "." not in looked["purpose"]  # the policy's words, not its key
    recipients = [u for u in page["items"] if u["kind"] == "recipient"]
    assert [(u["who"], u["did"]) for u in recipients] == [
        ("Stripe, Inc.", "told of a change to your data")
    ]
    own_accounts = {r["actor"] for r in audit_rows() if r["actor_role"] == "customer"}
    expected = [
        r
        for r in audit_rows()
        if r["person_id"] == ada_id and r["outcome"] != "refused" and r["actor"] not in own_accounts
    ]
    assert sum(u["count"] for u in page["items"] if u["kind"] != "recipient") == len(expected)
    assert any(r["person_id"] == bob_id and r["actor_role"] == "agent" for r in audit_rows())
    text = answer.text
    assert "Staff Member" not in text and "agent@example.com" not in text
    assert team.people["agent"] not in text


def test_the_privacy_center_page_shows_who_used_the_data_in_plain_words(team, app):
    _busy_day(team, app)
    ada = team.browsers["ada"]

    page = ada.get("/privacy/center/data-use")

    assert page.status_code == 200, page.text
    assert "Who used your data" in page.text and "Support agents" in page.text
    assert "Stripe, Inc." in page.text
    assert "Staff Member" not in page.text and "agent@example.com" not in page.text
    assert 'href="/privacy/center/data-use"' in ada.get("/privacy/center").text
    assert team.new_client().get(
        "/privacy/center/data-use", follow_redirects=False
    ).status_code in (
        303,
        401,
    )


def test_the_list_pages_with_next_offset(team, app):
    _busy_day(team, app)
    ada = team.browsers["ada"]
    first = ada.get("/api/v1/me/data-use", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_offset"] == 1
    rest = ada.get("/api/v1/me/data-use", params={"offset": 1, "limit": 200}).json()
    assert rest["next_offset"] is None and first["items"][0] not in rest["items"]


@pytest.mark.promise("R1")
def test_the_access_export_holds_who_used_the_data(team, app, mailbox, client):
    ada_id, _ = _busy_day(team, app)
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    token = fulfil(team["privacy_officer"], request_id).json()["token"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )

    uses = json.loads(archive.read("data-use.json"))["items"]
    assert "Support agents" in {u["who"] for u in uses}
    report = archive.read("report.html").decode()
    assert "Who used your data" in report and "Stripe, Inc." in report
    assert "Staff Member" not in report
