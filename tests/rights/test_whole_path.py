"""Each kind of request along the whole HTTP path: asked by someone signed out, verified by
the code mailed to the address, fulfilled by the officer, answered by mail (and download)."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.rights.conftest import ask, verify_by_code
from tests.rights.intake_kit import steward
from tests.rights.work import fulfil


def _asked_and_verified(team, mailbox, new_client, kind: str, **fields) -> tuple[str, str]:
    team.customer("ada")
    stranger = new_client()
    reference = ask(stranger, kind, "ada@example.com", **fields)["reference"]
    verified = verify_by_code(stranger, mailbox, reference, "ada@example.com")
    assert verified.status_code == 200, verified.text
    officer = team["privacy_officer"]
    items = officer.get("/api/v1/dpo/requests", params={"include_closed": True}).json()["items"]
    return reference, next(i["id"] for i in items if i["reference"] == reference)


def _last_body(mailbox) -> str:
    return mailbox.last_to("ada@example.com").get_payload(decode=True).decode()


@pytest.mark.promise("R1", "R5", "R10")
@pytest.mark.parametrize("kind", ["access", "ccpa_know", "portability"])
def test_an_export_is_asked_verified_fulfilled_and_downloaded(
    team, mailbox, new_client, client, kind
):
    reference, request_id = _asked_and_verified(team, mailbox, new_client, kind)
    answer = fulfil(team["privacy_officer"], request_id)
    assert answer.status_code == 200, answer.text
    token = next(w for w in _last_body(mailbox).split() if len(w) > 40 and "/" not in w)
    download = client.post("/api/v1/rights/download", json={"token": token})
    assert download.status_code == 200
    assert reference in download.headers["content-disposition"]


@pytest.mark.promise("R3", "R10")
@pytest.mark.parametrize("kind", ["erasure", "ccpa_delete"])
def test_an_erasure_is_asked_verified_approved_run_and_answered(
    team, mailbox, new_client, app, kind
):
    reference, request_id = _asked_and_verified(team, mailbox, new_client, kind)
    officer = team["privacy_officer"]
    assert fulfil(officer, request_id).status_code == 200
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        ran = steward(app.state.settings, "rights", "run")  # as the worker or cron does
    assert ran.exit_code == 0, ran.output
    assert "we erased your data" in _last_body(mailbox)
    assert new_client().get(f"/api/v1/rights/{reference}").json()["status"] == "done"


@pytest.mark.promise("R4", "R6", "R10")
@pytest.mark.parametrize("kind", ["restriction", "objection", "consent_withdrawal", "ccpa_opt_out"])
def test_an_effect_applies_when_verified_and_is_answered(team, mailbox, kind):
    fields: dict = {}
    if kind in ("objection", "consent_withdrawal"):
        fields["purposes"] = ["marketing.communications"]
    if kind in ("restriction", "objection"):
        fields["details"] = "I contest the data you hold."
    ada, _ = team.customer("ada")
    asked = ask(ada, kind, **fields)  # signed in: verified by the session at once
    assert asked["status"] in ("open", "done"), asked
    reference = asked["reference"]
    if kind == "restriction":
        items = team["privacy_officer"].get("/api/v1/dpo/requests").json()["items"]
        request_id = next(i["id"] for i in items if i["reference"] == reference)
        officer = team["privacy_officer"]
        assert fulfil(officer, request_id).status_code == 200
    assert reference in mailbox.last_to("ada@example.com")["Subject"]
    assert "done" in mailbox.last_to("ada@example.com")["Subject"]


@pytest.mark.promise("R2", "R10")
@pytest.mark.parametrize("kind", ["rectification", "ccpa_correct"])
def test_a_correction_is_asked_verified_and_applied(team, mailbox, new_client, kind):
    _, request_id = _asked_and_verified(
        team, mailbox, new_client, kind, corrections={"name": "Ada King"}
    )
    answer = fulfil(team["privacy_officer"], request_id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == ["name"]
    assert "corrected" in _last_body(mailbox)
