"""Verification (R7): a code to the address given, data points held, or a document the privacy
officer reviews. Codes expire, wrong tries are counted and audited, resends are throttled;
the clock pauses while we wait for the person."""

from datetime import datetime, timedelta

import pytest

from steward.core import clock
from tests.rights.conftest import ask, code_in_last, verify_by_code
from tests.rights.intake_kit import START, body_of

PDF = b"%PDF-1.4\n% a scanned passport\n"


def request_id_of(dpo, reference: str) -> str:
    items = dpo.get("/api/v1/dpo/requests", params={"include_closed": True}).json()["items"]
    return next(i["id"] for i in items if i["reference"] == reference)


@pytest.mark.promise("R7", "R1")
def test_the_code_mailed_to_the_address_verifies_and_the_wait_is_added_to_the_deadline(
    officer, team, mailbox, new_client
):
    with clock.frozen_at(START):
        _, ada_id = team.customer("ada")
        stranger = new_client()
        reference = ask(stranger, "access", "ada@example.com")["reference"]
        code = code_in_last(mailbox, "ada@example.com")
        clock.advance(timedelta(minutes=20))
        answer = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": code})
        assert answer.status_code == 200, answer.text
        assert answer.json()["verified"] is True and answer.json()["verification"] == []
        assert datetime.fromisoformat(answer.json()["due_at"]) == START + timedelta(
            days=30, minutes=20
        )
        dpo = officer.again()
        detail = dpo.get(f"/api/v1/dpo/requests/{request_id_of(dpo, reference)}").json()
        assert detail["person_id"] == ada_id and detail["verification"] == "email_code"
        assert detail["waited_seconds"] == 20 * 60
        again = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": code})
        assert again.status_code == 409


@pytest.mark.promise("R7", "R10")
def test_a_california_deadline_runs_from_receipt_whatever_verification_takes(
    team, mailbox, new_client
):
    with clock.frozen_at(START):
        team.customer("ada")
        reference = ask(new_client(), "ccpa_know", "ada@example.com")["reference"]
        clock.advance(timedelta(minutes=25))
        answer = verify_by_code(new_client(), mailbox, reference, "ada@example.com")
        assert answer.status_code == 200, answer.text
        assert datetime.fromisoformat(answer.json()["due_at"]) == START + timedelta(days=45)


@pytest.mark.promise("R7")
def test_wrong_codes_are_counted_audited_and_void_the_code(team, mailbox, new_client, audit_rows):
    with clock.frozen_at(START):
        team.customer("ada")
        stranger = new_client()
        reference = ask(stranger, "access", "ada@example.com")["reference"]
        code = code_in_last(mailbox, "ada@example.com")
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(4):
            answer = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": wrong})
            assert answer.json()["detail"] == "The code is wrong."
            clock.advance(timedelta(seconds=30))  # past the address's growing delay
        fifth = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": wrong})
        assert fifth.json()["detail"] == "The code is wrong and now void; ask for a new one."
        clock.advance(timedelta(seconds=30))
        late = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": code})
        assert late.status_code == 422  # even the right code no longer works
        failed = [r for r in audit_rows() if r["action"] == "verify_code"]
        assert [r["outcome"] for r in failed] == ["failed"] * 6
        assert all(r["purpose"] == "rights" and r["person_id"] is None for r in failed)
        # A new code, throttled to one a minute.
        assert stranger.post(f"/api/v1/rights/{reference}/code").status_code == 202
        too_soon = stranger.post(f"/api/v1/rights/{reference}/code")
        assert too_soon.status_code == 409
        clock.advance(timedelta(seconds=61))
        assert verify_by_code(stranger, mailbox, reference, "ada@example.com").status_code == 200
        assert audit_rows()[-1]["outcome"] != "failed"


@pytest.mark.promise("R7", "X4")
def test_wrong_codes_count_against_the_address_across_its_requests(team, mailbox, new_client):
    with clock.frozen_at(START):
        team.customer("ada")
        guesser = new_client()
        first = ask(guesser, "access", "ada@example.com")["reference"]
        second = ask(guesser, "portability", "ada@example.com")["reference"]
        code = code_in_last(mailbox, "ada@example.com")
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(3):
            guesser.post(f"/api/v1/rights/{first}/verify", json={"code": wrong})

        refused = guesser.post(f"/api/v1/rights/{second}/verify", json={"code": code})

        assert refused.status_code == 429
        assert "Try again in" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
        clock.advance(timedelta(minutes=2))
        owner = verify_by_code(new_client(), mailbox, second, "ada@example.com")
        assert owner.status_code == 200, owner.text


@pytest.mark.promise("R7")
def test_a_code_expires(team, mailbox, new_client):
    with clock.frozen_at(START):
        team.customer("ada")
        reference = ask(new_client(), "access", "ada@example.com")["reference"]
        clock.advance(timedelta(minutes=31))
        answer = verify_by_code(new_client(), mailbox, reference, "ada@example.com")
        assert answer.status_code == 422
        assert "expired" in answer.json()["detail"]


@pytest.mark.promise("R7")
def test_an_address_we_do_not_know_verifies_and_is_answered_no_data(mailbox, client):
    with clock.frozen_at(START):
        reference = ask(client, "access", "nobody@example.com")["reference"]
        answer = verify_by_code(client, mailbox, reference, "nobody@example.com")
        assert answer.status_code == 200
        assert answer.json()["status"] == "done" and answer.json()["outcome"] == "no_data"
        assert "we hold no personal data" in body_of(mailbox.last_to("nobody@example.com"))


@pytest.mark.promise("R7", "R10")
def test_data_points_held_verify_a_request_without_an_account(officer, team, new_client):
    with clock.frozen_at(START):
        _, ada_id = team.customer("ada")
        stranger = new_client()
        reference = ask(stranger, "ccpa_know", "ada@example.com")["reference"]
        url = f"/api/v1/rights/{reference}/data-points"
        wrong = stranger.post(url, json={"name": "Ada Lovelace", "birth_date": "1991-01-01"})
        assert wrong.status_code == 422
        assert wrong.json()["detail"] == "These details do not match what we hold."
        right = stranger.post(url, json={"name": " ada  LOVELACE", "birth_date": "1990-02-03"})
        assert right.status_code == 200, right.text
        assert right.json()["verified"] is True
        dpo = officer.again()
        detail = dpo.get(f"/api/v1/dpo/requests/{request_id_of(dpo, reference)}").json()
        assert detail["person_id"] == ada_id and detail["verification"] == "data_points"


def test_data_points_are_refused_where_the_policy_does_not_accept_them(team, new_client):
    with clock.frozen_at(START):
        team.customer("ada")
        stranger = new_client()
        reference = ask(stranger, "access", "ada@example.com")["reference"]
        answer = stranger.post(
            f"/api/v1/rights/{reference}/data-points", json={"name": "Ada Lovelace"}
        )
        assert answer.status_code == 422


@pytest.mark.promise("R7")
def test_a_document_reviewed_by_the_officer_verifies_and_is_then_removed(
    officer, team, new_client, settings
):
    with clock.frozen_at(START):
        _, ada_id = team.customer("ada")
        agent = new_client()
        reference = ask(
            agent, "access", "ada@example.com", on_behalf=True, agent="Bob, bob@agents.example"
        )["reference"]
        refused = agent.post(
            f"/api/v1/rights/{reference}/document",
            files={"file": ("note.txt", b"hello", "text/plain")},
        )
        assert refused.status_code == 422
        sent = agent.post(
            f"/api/v1/rights/{reference}/document",
            files={"file": ("authority.pdf", PDF, "application/pdf")},
        )
        assert sent.status_code == 202, sent.text
        dpo = officer.again()
        request_id = request_id_of(dpo, reference)
        documents = dpo.get(f"/api/v1/dpo/requests/{request_id}").json()["documents"]
        assert [d["filename"] for d in documents] == ["authority.pdf"]
        read = dpo.get(f"/api/v1/dpo/requests/{request_id}/documents/{documents[0]['id']}")
        assert read.status_code == 200 and read.content == PDF
        accepted = dpo.post(f"/api/v1/dpo/requests/{request_id}/verify")
        assert accepted.status_code == 200, accepted.text
        detail = accepted.json()
        assert detail["status"] == "open" and detail["verification"] == "document"
        assert detail["person_id"] == ada_id and detail["documents"] == []
        assert not [p for p in (settings.files_dir / "rights").rglob("*") if p.is_file()]
        twice = dpo.post(f"/api/v1/dpo/requests/{request_id}/verify")
        assert twice.status_code == 409


def test_the_officer_cannot_accept_a_request_without_a_document(officer, new_client):
    with clock.frozen_at(START):
        reference = ask(new_client(), "access", "someone@example.com")["reference"]
        dpo = officer.again()
        answer = dpo.post(f"/api/v1/dpo/requests/{request_id_of(dpo, reference)}/verify")
        assert answer.status_code == 409


@pytest.mark.promise("R7")
def test_the_officer_mails_a_new_code_or_records_an_identity_document_through_the_api(
    team, mailbox, new_client, audit_rows
):
    _, ada_id = team.customer("ada")
    dpo, stranger = team["privacy_officer"], new_client()
    reference = ask(stranger, "access", "ada@example.com")["reference"]
    first = code_in_last(mailbox, "ada@example.com")
    base = f"/api/v1/dpo/requests/{request_id_of(dpo, reference)}"
    assert team["agent"].post(f"{base}/code").status_code == 403

    resent = dpo.post(f"{base}/code")
    assert resent.status_code == 200, resent.text
    assert [t["step"] for t in resent.json()["timeline"]].count("code_sent") == 2
    second = code_in_last(mailbox, "ada@example.com")
    if second != first:  # one in a million, the new code is the old one
        old = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": first})
        assert old.status_code == 422
    seen = {"method": "id_seen", "note": "Passport seen at the counter."}
    checked = dpo.post(f"{base}/identity-check", json=seen)
    assert checked.status_code == 200, checked.text
    assert checked.json()["verification"] == "id_seen" and checked.json()["person_id"] == ada_id
    assert "Passport seen at the counter." in checked.json()["details"]
    assert dpo.post(f"{base}/identity-check", json=seen).status_code == 409
    actions = [row["action"] for row in audit_rows()]
    assert "resend_code" in actions and "verify_id_seen" in actions
