"""Service messages (C5): sent by an admin to account holders as their preferences allow;
marketing is not a service message and is refused."""

import pytest

from tests.people import customer

SEND = "/api/v1/service-messages"
TERMS = {"kind": "terms", "subject": "Our terms change on 1 May", "body": "What changes: ..."}


def received(mailbox, address: str, subject: str) -> list:
    return [m for m in mailbox.to(address) if m["Subject"] == subject]


@pytest.mark.promise("C5")
def test_a_person_who_turned_service_messages_off_gets_none_and_others_get_it(
    admin, mailbox, new_client
):
    ada, bob = new_client(), new_client()
    customer(ada, mailbox, "ada@example.com")
    customer(bob, mailbox, "bob@example.com")
    assert bob.put("/api/v1/me/preferences", json={"service_messages": False}).status_code == 200

    answer = admin.post(SEND, json=TERMS)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sent": 1, "skipped": 1, "unreachable": 0}
    [mail] = received(mailbox, "ada@example.com", TERMS["subject"])
    assert "What changes" in mail.get_payload(decode=True).decode()
    assert mail["Auto-Submitted"] == "auto-generated"  # no auto-reply should answer it
    assert received(mailbox, "bob@example.com", TERMS["subject"]) == []
    assert received(mailbox, "admin@example.com", TERMS["subject"]) == []  # staff: no holder


@pytest.mark.promise("C5")
def test_a_person_who_wants_no_contact_at_all_gets_no_service_message(admin, mailbox, new_client):
    ada = new_client()
    customer(ada, mailbox, "ada@example.com")
    ada.put("/api/v1/me/preferences", json={"preferred_channel": "none"})
    answer = admin.post(SEND, json={**TERMS, "kind": "price_change"})
    assert answer.json() == {"sent": 0, "skipped": 1, "unreachable": 0}
    assert received(mailbox, "ada@example.com", TERMS["subject"]) == []


@pytest.mark.promise("C5")
def test_marketing_is_refused_as_a_service_message(admin, mailbox, new_client):
    ada = new_client()
    customer(ada, mailbox, "ada@example.com")
    ada.put("/api/v1/me/preferences", json={"marketing": True})
    answer = admin.post(SEND, json={**TERMS, "kind": "marketing"})
    assert answer.status_code == 422
    assert "consent" in answer.json()["detail"]
    assert received(mailbox, "ada@example.com", TERMS["subject"]) == []


def test_only_an_admin_sends_service_messages(admin, mailbox, new_client):
    ada = new_client()
    customer(ada, mailbox, "ada@example.com")
    assert ada.post(SEND, json=TERMS).status_code == 403
    assert received(mailbox, "ada@example.com", TERMS["subject"]) == []


def test_a_service_message_to_an_unknown_organisation_is_not_found(admin):
    answer = admin.post(
        SEND, json={**TERMS, "organisation_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert answer.status_code == 404


def test_a_card_number_in_a_service_message_is_refused(admin):
    answer = admin.post(SEND, json={**TERMS, "body": "Pay with 4111 1111 1111 1111"})
    assert answer.status_code == 422


@pytest.mark.promise("C5")
def test_a_service_message_to_an_organisation_reaches_its_members_only(admin, mailbox, new_client):
    ada = new_client()
    customer(ada, mailbox, "ada@example.com")  # an account holder, but not a member
    acme = admin.post("/api/v1/organisations", json={"name": "Acme"}).json()["id"]
    member = admin.post(
        f"/api/v1/organisations/{acme}/members",
        json={"kind": "contact", "name": "Wile", "email": "wile@acme.test"},
    )
    assert member.status_code == 201, member.text

    answer = admin.post(SEND, json={**TERMS, "kind": "account_status", "organisation_id": acme})

    assert answer.json() == {"sent": 1, "skipped": 0, "unreachable": 0}
    assert len(received(mailbox, "wile@acme.test", TERMS["subject"])) == 1
    assert received(mailbox, "ada@example.com", TERMS["subject"]) == []
