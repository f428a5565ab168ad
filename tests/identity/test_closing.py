"""Closing an account (R3, T3) through the API: the customer's own, with or without deleting
their data (password again, grace period, the mailed cancel link, then the erasure engine),
and an admin's. Under the Houston policy erasure is offered in the account settings with the
password; under the print provider's, erasure is asked by mail or post only."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.desk.team import Team
from tests.identity.closing_kit import (
    account_of,
    body_of_last,
    cancel_token,
    person_of,
    requests_of,
    use_example,
)
from tests.people import PASSWORD, sign_in
from tests.rights.intake_kit import START, steward

CLOSE = "/api/v1/me/close"


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


@pytest.fixture
def printo(data_dir):
    use_example(data_dir, "printo-gens.yaml")


def _wiped(settings) -> tuple[int, int]:
    """(people wiped now, within 30 days) by `steward retention plan`."""
    result = steward(settings, "retention", "plan")
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        if line.startswith("people wiped"):
            now, soon = line.split()[-2:]
            return int(now), int(soon)
    assert "nothing is due" in result.output, result.output
    return 0, 0


@pytest.mark.promise("R3")
def test_a_customer_closes_their_account_and_every_session_ends(
    team, app, mailbox, new_client, audit_rows
):
    ada, ada_id = team.customer("ada")
    phone = new_client()
    assert sign_in(phone, "ada@example.com").status_code == 200

    answer = ada.post(CLOSE, json={})

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closed" and answer.json()["mailed"] is True
    assert phone.get("/api/v1/me").status_code == 401  # the other session ended too
    assert ada.get("/api/v1/me").status_code == 401
    refused = sign_in(new_client(), "ada@example.com")
    assert refused.status_code == 403 and "closed" in refused.json()["detail"]
    assert person_of(app, ada_id).closed_at is not None
    assert account_of(app, ada_id).status == "closed"
    closing = [r for r in audit_rows() if r["action"] == "close_account"]
    assert [r["person_id"] for r in closing] == [ada_id]
    mail = body_of_last(mailbox, "ada@example.com", "Your account is closed")
    assert "after your account is closed" in mail
    assert "P7Y" not in mail and "account_closure" not in mail


@pytest.mark.promise("R3")
def test_the_retention_plan_counts_from_the_closing(team, app, identity_settings):
    with clock.frozen_at(START):
        ada, ada_id = team.customer("ada")
        team.customer("bob")  # never closes: never wiped by the closure rules
        policy = app.state.active_policy.policy
        longest = max(
            (c.retention.period.after(START) for c in policy.categories.values()),
        )
        assert ada.post(CLOSE, json={}).status_code == 200
    assert person_of(app, ada_id).closed_at == START

    with clock.frozen_at(START + timedelta(days=1)):
        assert _wiped(identity_settings)[0] == 0
    with clock.frozen_at(longest + timedelta(days=400)):
        assert _wiped(identity_settings)[0] == 1  # Ada, counted from her closing


@pytest.mark.promise("R3")
def test_close_and_delete_with_a_wrong_password_changes_nothing(team, app):
    ada, ada_id = team.customer("ada")

    answer = ada.post(CLOSE, json={"delete": True, "password": "not my password at all"})

    assert answer.status_code == 422, answer.text
    assert "password" in answer.json()["detail"]
    assert ada.get("/api/v1/me").status_code == 200  # still signed in
    assert account_of(app, ada_id).status == "active"
    assert person_of(app, ada_id).closed_at is None
    assert requests_of(app, ada_id) == []


@pytest.mark.promise("R3")
def test_close_and_delete_is_scheduled_after_the_grace_and_can_be_cancelled(
    team, app, mailbox, client, new_client
):
    ada, ada_id = team.customer("ada")
    preview = ada.get(CLOSE).json()
    assert preview["erasure"]["offered_here"] is True
    assert preview["erasure"]["grace"] == "7 days"
    assert all("P" not in k["words"][:2] for k in preview["erasure"]["kept"])

    answer = ada.post(CLOSE, json={"delete": True, "password": PASSWORD})

    assert answer.status_code == 200, answer.text
    scheduled = answer.json()["erasure_scheduled_for"]
    assert scheduled is not None
    [request] = requests_of(app, ada_id)
    assert request.status == "scheduled" and request.channel == "account_settings"
    assert (
        timedelta(days=7)
        <= request.scheduled_for - request.received_at
        < timedelta(days=7, seconds=5)
    )
    assert account_of(app, ada_id).status == "closed"
    assert sign_in(new_client(), "ada@example.com").status_code == 403

    token = cancel_token(mailbox, "ada@example.com")
    page = client.get(f"/account/cancel-erasure?token={token}")
    assert page.status_code == 200 and "Cancel the erasure" in page.text
    done = client.post("/account/cancel-erasure", data={"token": token}, follow_redirects=False)

    assert done.status_code == 303, done.text
    assert requests_of(app, ada_id)[0].status == "cancelled"
    assert account_of(app, ada_id).status == "active"
    assert person_of(app, ada_id).closed_at is None
    assert sign_in(new_client(), "ada@example.com").status_code == 200
    again = client.post("/account/cancel-erasure", data={"token": token})
    assert again.status_code >= 400  # the link works once


@pytest.mark.promise("R3", "T2")
def test_close_and_delete_under_a_legal_hold_waits_for_the_officer(team, app, mailbox):
    ada, ada_id = team.customer("ada")
    officer = team["privacy_officer"]
    held = officer.post(
        "/api/v1/dpo/holds",
        json={"scope": "person", "target": ada_id, "reason": "legal_obligation"},
    )
    assert held.status_code == 201, held.text

    answer = ada.post(CLOSE, json={"delete": True, "password": PASSWORD})

    assert answer.status_code == 200, answer.text
    assert answer.json()["erasure_scheduled_for"] is None
    [request] = requests_of(app, ada_id)
    assert request.status == "open" and request.scheduled_for is None
    assert account_of(app, ada_id).status == "closed"  # closed at once all the same
    assert "reviews your erasure request" in body_of_last(
        mailbox, "ada@example.com", "Your account is closed"
    )
    queue = officer.get("/api/v1/dpo/requests").json()["items"]
    assert [r["reference"] for r in queue] == [request.reference]
    preview = officer.get(f"/api/v1/dpo/requests/{request.id}/preview").json()
    assert preview["holds"] and "legal obligation" in preview["holds"][0]


@pytest.mark.promise("R3")
def test_close_and_delete_is_erased_by_the_rights_run_after_the_grace(team, app, identity_settings):
    ada, ada_id = team.customer("ada")
    assert ada.post(CLOSE, json={"delete": True, "password": PASSWORD}).status_code == 200

    early = steward(identity_settings, "rights", "run")
    assert early.exit_code == 0, early.output
    assert person_of(app, ada_id).erased_at is None  # still within the grace

    with clock.frozen_at(clock.now() + timedelta(days=8)):
        ran = steward(identity_settings, "rights", "run")
    assert ran.exit_code == 0, ran.output
    assert person_of(app, ada_id).erased_at is not None
    assert person_of(app, ada_id).email is None
    assert requests_of(app, ada_id)[0].status == "done"


@pytest.mark.promise("R3")
def test_where_erasure_is_asked_by_mail_only_closing_keeps_the_data(printo, team, app, mailbox):
    ada, ada_id = team.customer("ada")
    preview = ada.get(CLOSE).json()
    assert preview["erasure"]["offered_here"] is False
    assert any("privacy@printogens.com" in way for way in preview["erasure"]["other_ways"])

    refused = ada.post(CLOSE, json={"delete": True, "password": PASSWORD})
    assert refused.status_code == 422, refused.text
    assert account_of(app, ada_id).status == "active" and requests_of(app, ada_id) == []

    closed = ada.post(CLOSE, json={})
    assert closed.status_code == 200, closed.text
    assert person_of(app, ada_id).closed_at is not None
    assert person_of(app, ada_id).erased_at is None


@pytest.mark.promise("R2")
def test_a_right_offered_in_the_account_is_asked_there_and_another_names_its_ways(team, app):
    ada, ada_id = team.customer("ada")

    # Houston: consent withdrawal at account_settings, verified by the session
    asked = ada.post(
        "/api/v1/me/rights",
        json={"kind": "consent_withdrawal", "purposes": ["marketing.communications"]},
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] != "unverified"
    assert requests_of(app, ada_id)[0].channel == "account_settings"

    # restriction only at the privacy center: not here, and the answer says where
    refused = ada.post("/api/v1/me/rights", json={"kind": "restriction"})
    assert refused.status_code == 422
    assert "privacy center" in refused.json()["detail"]


@pytest.mark.promise("R2")
def test_portability_in_the_portal_asks_the_password_again(team, app):
    ada, ada_id = team.customer("ada")

    without = ada.post("/api/v1/me/rights", json={"kind": "portability"})
    assert without.status_code == 202  # the policy's other way: a code mailed to her
    assert without.json()["status"] == "unverified"
    wrong = ada.post("/api/v1/me/rights", json={"kind": "portability", "password": "nope nope"})
    assert wrong.status_code == 422
    asked = ada.post("/api/v1/me/rights", json={"kind": "portability", "password": PASSWORD})

    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "open"
    assert [r.channel for r in requests_of(app, ada_id)] == ["portal"]  # verified: hers


def test_an_admin_closes_and_reopens_an_account_through_the_api(team, app, mailbox, audit_rows):
    ada, ada_id = team.customer("ada")
    admin = team.admin
    account_id = ada.get("/api/v1/me").json()["account_id"]

    closed = admin.patch(f"/api/v1/admin/accounts/{account_id}", json={"status": "closed"})

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert ada.get("/api/v1/me").status_code == 401
    assert person_of(app, ada_id).closed_at is not None
    assert any(r["action"] == "close_account" and r["person_id"] == ada_id for r in audit_rows())
    assert mailbox.last_to("ada@example.com")["Subject"] == "Your account is closed"

    reopened = admin.patch(f"/api/v1/admin/accounts/{account_id}", json={"status": "active"})
    assert reopened.status_code == 200, reopened.text
    assert person_of(app, ada_id).closed_at is None
    assert account_of(app, ada_id).status == "active"
