"""T2: a legal hold on a person, a ticket, an organisation or a category keeps what it covers
from the retention sweep and from erasure, until the privacy officer releases it; a hold
past its end date stays in force and is flagged for review."""

from datetime import date, timedelta

import pytest

from steward.consent.models import UsageEvent
from steward.core import clock
from steward.desk.models import Attachment, CallRecording, Invoice, Message, Ticket
from steward.identity.models import Person
from steward.rights import erasure
from tests.desk.team import join, organisation
from tests.retention.conftest import START, filled, hold, row, sweep
from tests.rights.intake_kit import steward
from tests.rights.work import fulfil, verified_request

LATER = START + timedelta(days=8 * 366)  # every period of the default policy is over


def two_customers(team, app):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        _, bob = team.customer("bob")
        return ada, filled(app, ada), bob, filled(app, bob)


@pytest.mark.promise("T2")
def test_nothing_a_hold_on_a_person_covers_is_deleted_until_it_is_released(
    team, app, identity_settings
):
    officer = team["privacy_officer"]
    ada, ada_rows, _bob, bob_rows = two_customers(team, app)
    placed = hold(officer, "person", "ada@example.com", "dispute")
    assert placed["target"] == ada and placed["needs_review"] is False
    with clock.frozen_at(LATER):
        printed = sweep(identity_settings)
        assert f"hold {placed['id']} kept" in printed
        for model, table in ((CallRecording, "call_recordings"), (Message, "messages")):
            assert row(app, model, ada_rows[table]) is not None
            assert row(app, model, bob_rows[table]) is None
        assert row(app, Invoice, ada_rows["invoices"]).billing_address is not None
        assert row(app, Invoice, bob_rows["invoices"]).billing_address is None
        assert row(app, UsageEvent, ada_rows["usage_events"]) is not None  # browser is ada's
    released = officer.post(f"/api/v1/dpo/holds/{placed['id']}/release")
    assert released.status_code == 200 and released.json()["released_at"] is not None
    with clock.frozen_at(LATER):
        sweep(identity_settings)
        assert row(app, CallRecording, ada_rows["call_recordings"]) is None
        assert row(app, Message, ada_rows["messages"]) is None


@pytest.mark.promise("T2")
def test_holds_on_a_ticket_an_organisation_and_a_category(team, app, identity_settings):
    officer = team["privacy_officer"]
    _ada, ada_rows, bob, bob_rows = two_customers(team, app)
    firm = organisation(team["agent"], "Bayou Welding")
    join(team["agent"], firm["id"], bob, "contact")
    ticket = hold(officer, "ticket", f"#{ada_rows['tickets']}", "dispute")
    firm_hold = hold(officer, "organisation", firm["id"], "legal_obligation")
    recordings = hold(officer, "category", "user.communications.call_recording", "legal_claim")
    with clock.frozen_at(LATER):
        printed = sweep(identity_settings)
    for kept in (ticket, firm_hold, recordings):
        assert f"hold {kept['id']} kept" in printed
    for model, table in ((Ticket, "tickets"), (Message, "messages"), (Attachment, "attachments")):
        assert row(app, model, ada_rows[table]) is not None  # on the held ticket
        assert row(app, model, bob_rows[table]) is not None  # the held organisation's member
    assert row(app, CallRecording, ada_rows["call_recordings"]) is not None  # held category
    assert row(app, CallRecording, bob_rows["call_recordings"]) is not None
    assert row(app, UsageEvent, ada_rows["usage_events"]) is None  # nothing holds ada's usage
    assert row(app, Invoice, bob_rows["invoices"]).billing_address is not None  # organisation
    assert row(app, Invoice, ada_rows["invoices"]).billing_address is None


@pytest.mark.promise("T2")
def test_a_hold_past_its_end_date_is_flagged_for_review_not_lifted(team, app, identity_settings):
    officer = team["privacy_officer"]
    ada, ada_rows, _, _ = two_customers(team, app)
    ends = clock.today() + timedelta(days=30)
    placed = hold(officer, "person", ada, "security_investigation", ends_on=ends.isoformat())
    with clock.frozen_at(LATER):
        printed = sweep(identity_settings)
        assert "1 hold is past the end date" in printed
        assert row(app, CallRecording, ada_rows["call_recordings"]) is not None
        listed = steward(identity_settings, "holds", "list", "--by", "privacy_officer@example.com")
        assert listed.exit_code == 0, listed.output
        assert placed["id"] in listed.output and "REVIEW: past its end date" in listed.output
        assert "ada@" not in listed.output and "Lovelace" not in listed.output
    shown = officer.get("/api/v1/dpo/holds").json()["items"]
    assert [h["id"] for h in shown] == [placed["id"]] and shown[0]["needs_review"] is True
    assert "1 legal hold is past the end date: review." in officer.get("/dpo").text
    runs = officer.get("/api/v1/dpo/retention/runs").json()["items"]
    assert runs[0]["flagged_holds"] == 1 and runs[0]["held"][placed["id"]] > 0


@pytest.mark.promise("T2")
def test_a_hold_postpones_an_approved_erasure_until_it_is_released(team, app, identity_settings):
    officer = team["privacy_officer"]
    _, ada = team.customer("ada")
    placed = hold(officer, "person", ada, "legal_obligation")
    request_id, _ = verified_request(app, "erasure", ada, "ada@example.com")
    preview = officer.get(f"/api/v1/dpo/requests/{request_id}/preview").json()
    assert preview["holds"] == [f"hold {placed['id'][-8:]} on a person (legal obligation)"]
    assert fulfil(officer, request_id).status_code == 200
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        assert erasure.run_due(app.state.runtime) == 0
        assert row(app, Person, ada).erased_at is None
    assert officer.post(f"/api/v1/dpo/holds/{placed['id']}/release").status_code == 200
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        assert erasure.run_due(app.state.runtime) == 1
        assert row(app, Person, ada).erased_at is not None


def test_placing_a_hold_checks_what_it_names(team, app):
    officer = team["privacy_officer"]
    cases = [
        ({"scope": "person", "target": "nobody@example.com", "reason": "dispute"}, 404),
        ({"scope": "ticket", "target": "#99999", "reason": "dispute"}, 404),
        ({"scope": "category", "target": "user.nothing", "reason": "dispute"}, 422),
        ({"scope": "planet", "target": "x", "reason": "dispute"}, 422),
        ({"scope": "person", "target": "x", "reason": "whim"}, 422),
        ({"scope": "category", "target": "user.behavior", "reason": "dispute"}, 422),
    ]
    for body, status in cases:
        answer = officer.post("/api/v1/dpo/holds", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert "Traceback" not in answer.text
    recordings = officer.post(
        "/api/v1/dpo/holds",
        json={
            "scope": "category",
            "target": "user.communications.call_recording",
            "reason": "dispute",
        },
    )
    assert recordings.status_code == 422  # the policy keeps recordings longer for claims only
    assert "longer only for: legal claim" in recordings.json()["detail"]
    past = (date.today() - timedelta(days=1)).isoformat()
    answer = officer.post(
        "/api/v1/dpo/holds",
        json={"scope": "category", "target": "user.behavior", "reason": "dispute", "ends_on": past},
    )
    assert answer.status_code == 422 and "past" in answer.json()["detail"]
    assert officer.get("/api/v1/dpo/holds").json() == {"items": [], "next_offset": None}
    agent = team["agent"].post(
        "/api/v1/dpo/holds",
        json={"scope": "category", "target": "user.behavior", "reason": "dispute"},
    )
    assert agent.status_code == 403


def test_holds_from_the_command_line(team, app, identity_settings):
    team["privacy_officer"]
    by = ("--by", "privacy_officer@example.com")
    added = steward(
        identity_settings,
        "holds",
        "add",
        "category",
        "user.financial",
        "--reason",
        "legal_obligation",
        "--until",
        "2099-01-01",
        *by,
    )
    assert added.exit_code == 0, added.output
    hold_id = added.output.split()[1].rstrip(":")
    listed = steward(identity_settings, "holds", "list", *by)
    assert hold_id in listed.output and "until 2099-01-01" in listed.output
    released = steward(identity_settings, "holds", "release", hold_id, *by)
    assert released.exit_code == 0 and "released" in released.output
    again = steward(identity_settings, "holds", "release", hold_id, *by)
    assert again.exit_code == 1 and "already released" in again.output
    stranger = steward(identity_settings, "holds", "list", "--by", "nobody@example.com")
    assert stranger.exit_code == 1 and "not an active privacy officer" in stranger.output
    bad = steward(
        identity_settings,
        "holds",
        "add",
        "category",
        "user.behavior",
        "--reason",
        "dispute",
        "--until",
        "soon",
        *by,
    )
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
