"""Deadlines: the officer's queue by due date with due soon and overdue marked, extensions
with the reason told, refusals, and the daily digest."""

from datetime import datetime, timedelta

import pytest

from steward.core import clock
from tests.rights.conftest import ask
from tests.rights.intake_kit import START, body_of, steward


def queue(dpo, **params) -> list[dict]:
    answer = dpo.get("/api/v1/dpo/requests", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


@pytest.mark.promise("R1", "R4")
def test_the_officer_sees_open_requests_by_due_date_with_due_soon_and_overdue_marked(officer, team):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        access = ask(ada, "access")  # 30 days
        restriction = ask(ada, "restriction")  # 15 days
        clock.advance(timedelta(days=11))  # the restriction is due in 4 days: due soon
        dpo = officer.again()
        items = queue(dpo)
        assert [i["reference"] for i in items] == [restriction["reference"], access["reference"]]
        assert [(i["due_soon"], i["overdue"]) for i in items] == [(True, False), (False, False)]
        assert all(i["waited_seconds"] == 0 for i in items)  # verified by their session
        clock.advance(timedelta(days=5))
        dpo = officer.again()
        items = queue(dpo)
        assert [(i["due_soon"], i["overdue"]) for i in items] == [(False, True), (False, False)]


@pytest.mark.promise("R1")
def test_a_deadline_is_extended_once_before_it_passes_and_the_person_is_told_why(
    access_extension, officer, team, mailbox
):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        access = ask(ada, "access")
        rectification = ask(ada, "rectification", corrections={"name": "Ada King"})
        dpo = officer.again()
        url = f"/api/v1/dpo/requests/{access['id']}/extend"
        too_long = dpo.post(url, json={"days": 61, "reason": "Many systems to search."})
        assert too_long.status_code == 422
        extended = dpo.post(url, json={"days": 60, "reason": "Many systems to search."})
        assert extended.status_code == 200, extended.text
        due = datetime.fromisoformat(extended.json()["due_at"])
        assert due == START + timedelta(days=90)
        assert extended.json()["extension_reason"] == "Many systems to search."
        text = body_of(mailbox.last_to("ada@example.com"))
        assert "Many systems to search." in text and "Jun 1, 2031" in text
        assert dpo.post(url, json={"days": 1, "reason": "Again."}).status_code == 409
        none_allowed = dpo.post(
            f"/api/v1/dpo/requests/{rectification['id']}/extend",
            json={"days": 5, "reason": "Busy."},
        )
        assert none_allowed.status_code == 409  # the policy allows no extension for it


@pytest.mark.promise("R1")
def test_a_deadline_cannot_be_extended_once_it_has_passed(access_extension, officer, team):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        access = ask(ada, "access")
        clock.advance(timedelta(days=31))
        dpo = officer.again()
        late = dpo.post(
            f"/api/v1/dpo/requests/{access['id']}/extend", json={"days": 10, "reason": "Late."}
        )
        assert late.status_code == 409


def test_a_refusal_keeps_its_reason_and_tells_the_person(officer, team, mailbox, client):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        objection = ask(ada, "access")
        dpo = officer.again()
        refused = dpo.post(
            f"/api/v1/dpo/requests/{objection['id']}/refuse",
            json={"reason": "Manifestly excessive: the fifth identical request this month."},
        )
        assert refused.status_code == 200, refused.text
        assert refused.json()["status"] == "refused"
        assert refused.json()["refusal_reason"].startswith("Manifestly excessive")
        text = body_of(mailbox.last_to("ada@example.com"))
        assert "Manifestly excessive" in text and "data protection authority" in text
        status = client.get(f"/api/v1/rights/{objection['reference']}").json()
        assert status["outcome"] == "refused" and "refusal_reason" not in status
        assert queue(dpo) == []
        assert [i["status"] for i in queue(dpo, include_closed=True)] == ["refused"]


def test_the_daily_digest_lists_references_and_due_dates_without_personal_data(
    officer, team, mailbox, identity_settings
):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        access = ask(ada, "access", details="Everything about my generator.")
        result = steward(identity_settings, "rights", "digest")
        assert result.exit_code == 0, result.output
        assert "digest mailed to 2 addresses" in result.output
        for address in ("dpo@example.com", "privacy@houstongeneratorcompany.com"):
            text = body_of(mailbox.last_to(address))
            assert access["reference"] in text and "due Apr 2, 2031, 4:00 AM CDT" in text
            assert "ada@" not in text.lower() and "lovelace" not in text.lower()
            assert "generator." not in text


@pytest.mark.promise("X3")
def test_the_daily_digest_carries_the_newest_audit_checkpoint(
    officer, team, mailbox, identity_settings
):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        ask(ada, "access", details="Everything about my generator.")
        signed = steward(identity_settings, "audit", "checkpoint")
        assert signed.exit_code == 0, signed.output
        assert steward(identity_settings, "rights", "digest").exit_code == 0
    outside = identity_settings.audit_checkpoints_file.read_text().splitlines()
    assert outside[-1] in body_of(mailbox.last_to("dpo@example.com"))
