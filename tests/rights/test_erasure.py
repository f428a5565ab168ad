"""R3 and R10 delete: an approved erasure waits out its grace, then runs in batches that a
crash cannot spoil, keeps only what the law requires (re-sealed under a new key), and
leaves tombstones so nothing that pointed at the person breaks."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from steward.core import clock
from steward.desk.models import Invoice, Message, Ticket, TicketEvent
from steward.identity.models import Account, Person
from steward.pii.mentions import Mention
from steward.rights import erasure
from steward.rights.datamap import MapIncomplete
from steward.rights.erasure_plan import plan
from steward.rights.models import RightsRequest
from steward.vault.crypto import Unreadable
from tests.people import sign_in
from tests.rights.work import db, verified_request

TICKETS = 25


def _tickets(app, person_id: str, count: int, assignee_id: str | None = None) -> list[int]:
    now = clock.now()
    with db(app) as session:
        made = []
        for n in range(count):
            ticket = Ticket(
                requester_id=person_id,
                channel="web",
                status="open",
                priority="normal",
                subject=f"Generator {n} will not start",
                assignee_id=assignee_id,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            session.add(ticket)
            session.flush()
            session.add(
                Message(
                    ticket_id=ticket.id,
                    owner_id=person_id,
                    author_id=person_id,
                    visibility="public",
                    channel="web",
                    body="It coughs twice",
                    created_at=now,
                )
            )
            session.add(
                TicketEvent(ticket_id=ticket.id, field="status", old="new", new="open", at=now)
            )
            made.append(ticket.id)
        session.add(
            Invoice(
                number=f"INV-{person_id[-8:]}",
                person_id=person_id,
                status="paid",
                currency="USD",
                total_cents=1200,
                lines='[{"item": "service"}]',
                billing_address="1 Main St",
                issued_on=clock.today(),
                created_at=now,
            )
        )
        session.commit()
        return made


def _approve(app, officer, person_id: str, email: str) -> tuple[str, str]:
    request_id, reference = verified_request(app, "erasure", person_id, email)
    answer = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "scheduled"
    return request_id, reference


def _run(app, **options) -> int:
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        return erasure.run_due(app.state.runtime, **options)


@pytest.mark.promise("R3")
def test_the_preview_counts_what_goes_and_what_the_law_keeps(team, app):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    _tickets(app, ada_id, 3)
    request_id, _ = verified_request(app, "erasure", ada_id, "ada@example.com")

    preview = officer.get(f"/api/v1/dpo/requests/{request_id}/preview")

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["erased"]["user.communications"] == 3
    assert [k["category"] for k in body["kept"]] == ["user.financial"]
    assert "6001" in body["kept"][0]["reason"] and body["kept"][0]["until"]
    assert "Generator" not in preview.text and "ada@" not in preview.text


@pytest.mark.promise("R3")
def test_the_person_or_the_officer_can_cancel_during_the_grace(team, app, mailbox):
    officer = team["privacy_officer"]
    ada, ada_id = team.customer("ada")
    _request_id, reference = _approve(app, officer, ada_id, "ada@example.com")
    assert "scheduled" in mailbox.last_to("ada@example.com")["Subject"]
    bob, _ = team.customer("bob")
    assert bob.post(f"/api/v1/me/rights/{reference}/cancel").status_code == 404

    assert ada.post(f"/api/v1/me/rights/{reference}/cancel").status_code == 200

    assert _run(app) == 0
    assert ada.get("/api/v1/me").status_code == 200
    again, _ = _approve(app, officer, ada_id, "ada@example.com")
    assert officer.post(f"/api/v1/dpo/requests/{again}/cancel").status_code == 200
    assert officer.post(f"/api/v1/dpo/requests/{again}/cancel").status_code == 409


@pytest.mark.promise("R3")
def test_an_erasure_runs_in_batches_survives_a_crash_and_keeps_only_tax_records(
    team, app, mailbox, new_client
):
    officer = team["privacy_officer"]
    ada, ada_id = team.customer("ada")
    ids = _tickets(app, ada_id, TICKETS)
    _, bob_id = team.customer("bob")
    bobs = _tickets(app, bob_id, 1)[0]
    with db(app) as session:  # bob's ticket names ada
        session.get(Ticket, bobs).subject = "Ada Lovelace asked me to call about ada@example.com"
        session.add(
            Mention(
                person_id=ada_id, source_table="tickets", row_id=str(bobs), created_at=clock.now()
            )
        )
        session.commit()
        old_blob = session.scalar(select(Ticket.__table__.c.subject).where(Ticket.id == ids[0]))
    request_id, _reference = _approve(app, officer, ada_id, "ada@example.com")

    batches: list[tuple[str, int]] = []

    def crash_after_two(reference: str, table: str, rows: int) -> None:
        batches.append((table, rows))
        if table == "tickets":
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        _run(app, progress=crash_after_two, batch=10)
    with db(app) as session:
        assert session.get(RightsRequest, request_id).status == "erasing"
        assert (
            session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.requester_id == ada_id)
            )
            == TICKETS - 10
        )

    assert _run(app, batch=10) == 1

    with db(app) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.requester_id == ada_id)
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id.in_(ids))
            )
            == 0
        )
        person = session.get(Person, ada_id)
        assert (person.name, person.email, person.email_index) == (None, None, None)
        assert person.erased_at and person.restricted_at
        account = session.scalar(select(Account).where(Account.person_id == ada_id))
        assert account.status == "disabled"
        assert session.get(Ticket, bobs).subject == "[erased] asked me to call about [erased]"
        invoice = session.scalar(select(Invoice).where(Invoice.person_id == ada_id))
        assert invoice.billing_address == "1 Main St"  # kept by law, under a new key
        vault = app.state.vault
        with pytest.raises(Unreadable):  # the old key is gone: old copies stay unreadable
            vault.open(session, ada_id, "tickets.subject", old_blob)
        request = session.get(RightsRequest, request_id)
        assert (request.status, request.outcome) == ("done", "partly_fulfilled")
        assert request.email is None
    body = mailbox.last_to("ada@example.com").get_payload(decode=True).decode()
    assert "Transaction data" in body and "6001" in body and "kept until" in body
    assert sign_in(new_client(), "ada@example.com").status_code != 200
    assert ada.get("/api/v1/me").status_code == 401


@pytest.mark.promise("R3")
def test_erasing_a_staff_member_unassigns_their_tickets_and_keeps_their_messages(team, app):
    officer = team["privacy_officer"]
    team["agent"]
    agent_id = team.people["agent"]
    _, ada_id = team.customer("ada")
    with db(app) as session:
        account_id = session.scalar(select(Account.id).where(Account.person_id == agent_id))
    ticket = _tickets(app, ada_id, 1, assignee_id=account_id)[0]
    with db(app) as session:
        session.add(
            Message(
                ticket_id=ticket,
                owner_id=ada_id,
                author_id=agent_id,
                visibility="public",
                channel="web",
                body="On my way",
                created_at=clock.now(),
            )
        )
        session.commit()
    _approve(app, officer, agent_id, "agent@example.com")

    assert _run(app) == 1

    with db(app) as session:
        assert session.get(Ticket, ticket).assignee_id is None
        messages = session.scalars(select(Message).where(Message.ticket_id == ticket))
        kept = [m for m in messages if m.body == "On my way"]
        assert kept and kept[0].author_id is None


def test_an_erasure_stops_on_a_column_it_cannot_empty(team, app, monkeypatch):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, _ = _approve(app, officer, ada_id, "ada@example.com")
    monkeypatch.setattr(Person.__table__.c.phone, "nullable", False)

    with pytest.raises(MapIncomplete, match=r"people\.phone"):
        plan(app.state.active_policy.policy)
    with pytest.raises(MapIncomplete):
        _run(app)
    with db(app) as session:
        assert session.get(RightsRequest, request_id).status == "scheduled"
        assert session.get(Person, ada_id).email == "ada@example.com"
