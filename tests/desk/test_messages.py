"""Messages through the API: card numbers (D4), attachments, notes, notifications, audit."""

import re

import pytest
from sqlalchemy import func, inspect, select, text

from steward.desk.models import Attachment, Message, Ticket
from tests.desk import test_tickets as shared
from tests.desk.test_tickets import TICKETS, open_ticket
from tests.identity.test_at_rest import raw_database

ada, agent = shared.ada, shared.agent  # the fixtures

CARD = "4111 1111 1111 1111"  # a test Visa number: passes the Luhn check
CARD_DIGITS = CARD.replace(" ", "")


def count(app, model) -> int:
    with app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def every_stored_text(app) -> str:
    """Every value of every table, as text (sealed ones as their ciphertext)."""
    found = []
    with app.state.sessions() as session:
        connection = session.connection()
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                found.extend(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
    return "\n".join(found)


@pytest.mark.promise("D4")
def test_a_card_number_in_a_message_is_masked_the_sender_told_and_stored_nowhere(
    app, ada, agent, identity_settings
):
    opened = ada.post(
        TICKETS, json={"subject": "Pay my invoice", "body": f"Please charge {CARD}, exp 12/29."}
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()
    assert ticket["messages"][0]["card_numbers_masked"] == 1
    assert "card number" in ticket["notice"] and "payment page" in ticket["notice"]
    reply = ada.post(
        f"{TICKETS}/{ticket['id']}/messages",
        json={"body": f"Or this one: 5500-0000-0000-0004 or {CARD_DIGITS}"},
    )
    assert reply.status_code == 201
    assert reply.json()["card_numbers_masked"] == 2
    assert "2 card numbers" in reply.json()["notice"]

    bodies = [m["body"] for m in agent.get(f"{TICKETS}/{ticket['id']}").json()["messages"]]
    assert bodies == [
        "Please charge [card number removed, ending 1111], exp 12/29.",
        "Or this one: [card number removed, ending 0004] or [card number removed, ending 1111]",
    ]
    stored = every_stored_text(app)
    raw = raw_database(identity_settings.database_url)
    for number in (CARD, CARD_DIGITS, "5500-0000-0000-0004", "5500000000000004"):
        assert number not in stored
        assert number.encode() not in raw
    assert "Pay my invoice" not in stored  # the subject is sealed, not in clear


@pytest.mark.promise("D4")
def test_a_card_number_in_the_subject_or_a_file_name_is_refused_with_nothing_stored(
    app, ada, settings
):
    refused = ada.post(TICKETS, json={"subject": f"Card {CARD}", "body": "Charge it"})
    assert refused.status_code == 422
    assert "never store card numbers" in refused.json()["detail"]
    assert CARD not in refused.text
    named = ada.post(
        TICKETS,
        data={"subject": "Receipt", "body": "See file"},
        files={"attachments": (f"card {CARD}.txt", b"receipt", "text/plain")},
    )
    assert named.status_code == 422
    assert count(app, Ticket) == count(app, Message) == count(app, Attachment) == 0
    assert not any(path.is_file() for path in settings.files_dir.rglob("*"))


def test_attachments_too_large_of_a_refused_type_or_too_many_are_refused(app, ada):
    form = {"subject": "Files", "body": "Attached"}
    big = ada.post(
        TICKETS,
        data=form,
        files={"attachments": ("big.pdf", b"%" * (10 * 1024 * 1024 + 1), "application/pdf")},
    )
    assert big.status_code == 413 and "10 MB" in big.json()["detail"]
    program = ada.post(
        TICKETS,
        data=form,
        files={"attachments": ("setup.exe", b"MZ...", "application/x-msdownload")},
    )
    assert program.status_code == 415
    assert "images, PDF" in program.json()["detail"]
    many = ada.post(
        TICKETS,
        data=form,
        files=[("attachments", (f"f{i}.txt", b"x", "text/plain")) for i in range(11)],
    )
    assert many.status_code == 422
    assert count(app, Ticket) == 0
    ok = ada.post(
        TICKETS,
        data=form,
        files=[
            ("attachments", ("sheet.csv", b"a,b\n1,2\n", "text/csv; charset=utf-8")),
            ("attachments", ("scan.pdf", b"%PDF-1.7", "application/pdf")),
        ],
    )
    assert ok.status_code == 201, ok.text
    files = ok.json()["messages"][0]["attachments"]
    assert [(f["filename"], f["content_type"]) for f in files] == [
        ("sheet.csv", "text/csv"),
        ("scan.pdf", "application/pdf"),
    ]


def test_attachments_on_a_reply_and_on_notes_reach_only_who_may_see_them(ada, agent):
    ticket = open_ticket(ada)
    url = f"{TICKETS}/{ticket['id']}/messages"
    note = agent.post(
        url,
        data={"body": "Log from the machine", "visibility": "internal"},
        files={"attachments": ("log.txt", b"internal log", "text/plain")},
    )
    assert note.status_code == 201, note.text
    note_file = note.json()["attachments"][0]["url"]
    reply = ada.post(
        url, data={"body": ""}, files={"attachments": ("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")}
    )
    assert reply.status_code == 201, reply.text
    reply_file = reply.json()["attachments"][0]["url"]
    assert ada.get(note_file).status_code == 404
    assert agent.get(note_file).content == b"internal log"
    assert agent.get(reply_file).content == b"\xff\xd8jpeg"
    assert ada.get(reply_file).content == b"\xff\xd8jpeg"


def test_only_staff_write_internal_notes(ada, agent):
    ticket = open_ticket(ada)
    url = f"{TICKETS}/{ticket['id']}/messages"
    refused = ada.post(url, json={"body": "secret", "visibility": "internal"})
    assert refused.status_code == 403
    assert ada.post(url, json={"body": "x", "visibility": "shouting"}).status_code == 422
    assert ada.post(url, json={"body": "   "}).status_code == 422
    assert len(agent.get(url).json()["items"]) == 1


def test_a_customer_reply_reopens_a_ticket_waiting_on_them(ada, agent):
    ticket = open_ticket(ada)
    url = f"{TICKETS}/{ticket['id']}"
    agent.patch(url, json={"status": "waiting_on_customer"})
    ada.post(f"{url}/messages", json={"body": "Here is the answer"})
    view = agent.get(url).json()
    assert view["status"] == "open"
    assert view["events"][-1]["field"] == "status"
    assert view["events"][-1]["actor_id"] == ada.get("/api/v1/me").json()["account_id"]
    agent.patch(url, json={"status": "closed"})
    assert agent.post(f"{url}/messages", json={"body": "late"}).status_code == 409


def test_messages_page_oldest_first(ada, agent):
    ticket = open_ticket(ada, body="first")
    url = f"{TICKETS}/{ticket['id']}/messages"
    for n in range(3):
        agent.post(url, json={"body": f"reply {n}"})
    page = ada.get(url, params={"limit": 2}).json()
    assert [m["body"] for m in page["items"]] == ["first", "reply 0"]
    rest = ada.get(url, params={"offset": page["next_offset"], "limit": 2}).json()
    assert [m["body"] for m in rest["items"]] == ["reply 1", "reply 2"]
    assert rest["next_offset"] is None


MESSAGE_ID = re.compile(r"^<t(\d+)\.[0-9a-f]{16}@steward>$")


def test_the_requester_hears_of_public_replies_and_status_changes_but_not_of_notes(
    ada, agent, mailbox
):
    ticket = open_ticket(ada, subject="Laptop fan noise")
    before = len(mailbox.to("ada@example.com"))
    url = f"{TICKETS}/{ticket['id']}"
    agent.post(f"{url}/messages", json={"body": "Internal only", "visibility": "internal"})
    assert len(mailbox.to("ada@example.com")) == before
    agent.post(f"{url}/messages", json={"body": "Try cleaning the vent."})
    agent.patch(url, json={"status": "resolved"})
    reply, status = mailbox.to("ada@example.com")[before:]
    for mail in (reply, status):
        assert mail["Subject"] == f"[#{ticket['id']}] Laptop fan noise"
        assert MESSAGE_ID.match(mail["Message-ID"]).group(1) == str(ticket["id"])
    assert "Try cleaning the vent." in reply.get_payload(decode=True).decode()
    assert "Internal only" not in reply.get_payload(decode=True).decode()
    assert "is now resolved" in status.get_payload(decode=True).decode()
    assert reply["Message-ID"] != status["Message-ID"]


def test_a_requester_who_turned_ticket_updates_off_gets_no_mail(ada, agent, mailbox):
    ticket = open_ticket(ada)
    changed = ada.put("/api/v1/me/preferences", json={"ticket_updates": False})
    assert changed.status_code == 200, changed.text
    before = len(mailbox.to("ada@example.com"))
    url = f"{TICKETS}/{ticket['id']}"
    agent.post(f"{url}/messages", json={"body": "An answer"})
    agent.patch(url, json={"status": "resolved"})
    assert len(mailbox.to("ada@example.com")) == before


def test_the_assignee_hears_of_the_assignment_and_of_the_requesters_replies(
    ada, agent, admin, mailbox
):
    ticket = open_ticket(ada, subject="VPN drops")
    url = f"{TICKETS}/{ticket['id']}"
    before = len(mailbox.to("agent@example.com"))
    agent.patch(url, json={"assignee_id": agent.account_id})  # assigning oneself: no mail
    assert len(mailbox.to("agent@example.com")) == before
    agent.patch(url, json={"assignee_id": None})
    admin.patch(url, json={"assignee_id": agent.account_id})
    ada.post(f"{url}/messages", json={"body": "It dropped again at noon."})
    assigned, replied = mailbox.to("agent@example.com")[before:]
    assert assigned["Subject"] == replied["Subject"] == f"[#{ticket['id']}] VPN drops"
    assert "assigned to you" in assigned.get_payload(decode=True).decode()
    text_of_reply = replied.get_payload(decode=True).decode()
    assert "replied" in text_of_reply and "noon" not in text_of_reply  # read it in the desk
    assert MESSAGE_ID.match(replied["Message-ID"])


@pytest.mark.promise("X3")
def test_each_read_of_a_ticket_is_in_the_audit_trail(ada, agent, audit_rows):
    ticket = open_ticket(ada)
    before = len(audit_rows())
    agent.get(f"{TICKETS}/{ticket['id']}")
    entries = audit_rows()[before:]
    reads = [
        e
        for e in entries
        if e["actor"] == agent.account_id
        and e["person_id"] == ada.person_id
        and e["action"] == "read"
    ]
    assert {e["purpose"] for e in reads} == {"essential.service.support"}
    assert {"subject", "body", "name"} <= {
        c for e in reads for c in re.findall(r"\w+", e["columns"])
    }
    assert all(ada.person_id not in (e["categories"] + e["columns"]) for e in reads)
