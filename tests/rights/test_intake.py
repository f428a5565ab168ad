"""Asking: anyone may make a request or ask a question, signed in or not; each is acknowledged
by mail at once with its reference and due date; the answer never tells whether we hold data
about the address."""

from datetime import datetime, timedelta

import pytest

from steward.core import clock
from tests.rights.conftest import ask
from tests.rights.intake_kit import START, body_of, same_shape


def due(answer: dict) -> datetime:
    return datetime.fromisoformat(answer["due_at"])


@pytest.mark.promise("R1", "R7")
def test_anyone_can_ask_and_is_acknowledged_at_once_with_reference_and_due_date(
    team, mailbox, new_client
):
    with clock.frozen_at(START):
        team.customer("ada")
        stranger = new_client()
        answer = ask(stranger, "access", "ada@example.com")
        assert answer["status"] == "unverified"
        assert answer["id"] is None  # ids are for the signed in
        assert answer["verification"] == ["email_code", "document"]
        assert due(answer) == START + timedelta(days=30)
        mail = mailbox.last_to("ada@example.com")
        text = body_of(mail)
        assert answer["reference"] in mail["Subject"]
        assert "access to your data" in text and "Apr 2, 2031, 4:00 AM CDT" in text
        status = stranger.get(f"/api/v1/rights/{answer['reference']}").json()
        assert status["status"] == "unverified" and status["verified"] is False
        assert "email" not in status and "name" not in status


@pytest.mark.promise("R7")
def test_the_answer_and_the_mail_are_the_same_whether_or_not_the_address_is_known(
    team, mailbox, new_client
):
    with clock.frozen_at(START):
        team.customer("ada")
        stranger = new_client()
        known = ask(stranger, "erasure", "ada@example.com")
        unknown = ask(stranger, "erasure", "nobody@example.com")
    for field in ("status", "due_at", "verification", "id"):
        assert known[field] == unknown[field]
    to_known = mailbox.last_to("ada@example.com")
    to_unknown = mailbox.last_to("nobody@example.com")
    assert same_shape(to_known["Subject"]) == same_shape(to_unknown["Subject"])
    assert same_shape(body_of(to_known)) == same_shape(body_of(to_unknown))


@pytest.mark.promise("R4", "R7")
def test_a_signed_in_person_is_verified_by_their_session(team, mailbox):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        answer = ask(ada, "restriction", details="The address you hold is contested.")
        assert answer["status"] == "open" and answer["verification"] == []
        assert due(answer) == START + timedelta(days=15)
        assert any("signed in" in body_of(m) for m in mailbox.to("ada@example.com"))
        mine = ada.get("/api/v1/me/rights").json()["items"]
        assert [m["reference"] for m in mine] == [answer["reference"]]
        assert mine[0]["kind"] == "restriction"


@pytest.mark.promise("R3", "R7")
def test_erasure_asks_a_signed_in_person_for_their_password_again(team, mailbox):
    from tests.people import PASSWORD

    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        wrong = ada.post("/api/v1/rights", json={"kind": "erasure", "password": "not it at all"})
        assert wrong.status_code == 422
        assert wrong.json()["detail"] == "The password is wrong."
        without = ask(ada, "erasure")  # no password: a code to the address on file instead
        assert without["status"] == "unverified" and without["verification"] == ["email_code"]
        right = ask(ada, "erasure", password=PASSWORD)
        assert right["status"] == "open" and right["verification"] == []
        assert due(right) == START + timedelta(days=30)


@pytest.mark.promise("R8")
def test_an_inquiry_is_due_in_48_hours_and_answered_by_mail(officer, mailbox, new_client):
    with clock.frozen_at(START):
        dpo = officer.again()
        asker = new_client()
        answer = ask(asker, "inquiry", "grace@example.com", details="Do you sell my data?")
        assert answer["status"] == "open"
        assert due(answer) == START + timedelta(hours=48)
        queue = dpo.get("/api/v1/dpo/requests").json()["items"]
        request_id = next(i["id"] for i in queue if i["reference"] == answer["reference"])
        answered = dpo.post(
            f"/api/v1/dpo/requests/{request_id}/answer", json={"text": "No, we never do."}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "done" and answered.json()["outcome"] == "fulfilled"
        assert "No, we never do." in body_of(mailbox.last_to("grace@example.com"))
        again = dpo.post(f"/api/v1/dpo/requests/{request_id}/answer", json={"text": "Again."})
        assert again.status_code == 409


def test_an_inquiry_needs_a_question(client):
    answer = client.post("/api/v1/rights", json={"kind": "inquiry", "email": "a@example.com"})
    assert answer.status_code == 422


@pytest.mark.promise("R10")
def test_california_requests_are_confirmed_at_once_and_due_in_45_days(
    officer, team, mailbox, new_client
):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        answer = ask(new_client(), "ccpa_know", "ada@example.com")
        assert due(answer) == START + timedelta(days=45)
        text = body_of(mailbox.last_to("ada@example.com"))
        assert "California Consumer Privacy Act" in text and "10 business days" in text
        # Opting out of sale: 15 business days, from Monday 3 March 2031 to Monday 24 March.
        opt_out = ask(ada, "ccpa_opt_out")
        assert due(opt_out) == START + timedelta(days=21)
        dpo = officer.again()
        items = dpo.get("/api/v1/dpo/requests").json()["items"]
        request_id = next(i["id"] for i in items if i["reference"] == answer["reference"])
        steps = [
            t["step"] for t in dpo.get(f"/api/v1/dpo/requests/{request_id}").json()["timeline"]
        ]
        assert steps[:3] == ["received", "code_sent", "acknowledged"]


@pytest.mark.promise("R2")
def test_a_rectification_is_due_in_15_days_and_keeps_the_corrections(officer, team, new_client):
    with clock.frozen_at(START):
        team.customer("ada")
        answer = ask(
            new_client(), "rectification", "ada@example.com", corrections={"name": "Ada King"}
        )
        assert due(answer) == START + timedelta(days=15)
        dpo = officer.again()
        items = dpo.get("/api/v1/dpo/requests").json()["items"]
        request_id = next(i["id"] for i in items if i["reference"] == answer["reference"])
        detail = dpo.get(f"/api/v1/dpo/requests/{request_id}").json()
        assert detail["corrections"] == {"name": "Ada King"}
        assert detail["email"] == "ada@example.com"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "ccpa_limit", "email": "a@example.com"},  # not offered by this policy
        {"kind": "teleport", "email": "a@example.com"},
        {"kind": "access"},  # no address
        {"kind": "access", "email": "not an address"},
        {"kind": "access", "email": "a@example.com", "corrections": {"name": "B"}},
        {"kind": "rectification", "email": "a@example.com", "corrections": {"iban": "X"}},
        {"kind": "objection", "email": "a@example.com", "purposes": ["no.such.purpose"]},
        {"kind": "access", "email": "a@example.com", "on_behalf": True},  # no agent named
        {"kind": "access", "email": "a@example.com", "colour": "blue"},
        {"kind": "access", "email": "a@example.com", "channel": "portal"},  # not offered there
    ],
)
def test_a_request_the_policy_does_not_allow_is_refused_with_a_reason(client, body):
    answer = client.post("/api/v1/rights", json=body)
    assert answer.status_code == 422, answer.text
    assert "a@example.com" not in answer.text


@pytest.mark.promise("R7")
def test_an_agent_asks_with_proof_of_authority_reviewed_by_the_officer(
    officer, team, mailbox, new_client
):
    with clock.frozen_at(START):
        team.customer("ada")
        agent = new_client()
        answer = ask(
            agent,
            "access",
            "ada@example.com",
            on_behalf=True,
            agent="Bob Agent, bob@agents.example",
        )
        assert answer["verification"] == ["document"]
        assert "proof of their authority" in body_of(mailbox.last_to("ada@example.com"))
