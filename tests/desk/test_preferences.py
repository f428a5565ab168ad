"""Notification preferences (C5): each person sees and changes only their own."""

import pytest

from tests.people import customer

PREFERENCES = "/api/v1/me/preferences"


@pytest.mark.promise("C5")
def test_a_new_customer_gets_service_mail_but_no_marketing(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    answer = client.get(PREFERENCES)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "ticket_updates": True,
        "service_messages": True,
        "maintenance_alerts": True,
        "marketing": False,
        "preferred_channel": "email",
        "updated_at": None,
    }


@pytest.mark.promise("C5")
def test_a_customer_turns_service_messages_off_and_marketing_on(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    answer = client.put(PREFERENCES, json={"service_messages": False, "marketing": True})
    assert answer.status_code == 200, answer.text
    again = client.get(PREFERENCES).json()
    assert again["service_messages"] is False
    assert again["marketing"] is True
    assert again["ticket_updates"] is True  # what was not sent stays as it was
    assert again["updated_at"] is not None


def test_preferences_are_each_persons_own(client, mailbox, new_client):
    customer(client, mailbox, "ada@example.com")
    client.put(PREFERENCES, json={"maintenance_alerts": False, "preferred_channel": "sms"})
    other = new_client()
    customer(other, mailbox, "bob@example.com")
    theirs = other.get(PREFERENCES).json()
    assert theirs["maintenance_alerts"] is True
    assert theirs["preferred_channel"] == "email"


def test_changing_preferences_is_audited_by_category_and_column(client, mailbox, audit_rows):
    customer(client, mailbox, "ada@example.com")
    client.put(PREFERENCES, json={"marketing": True})
    entries = [r for r in audit_rows() if r["action"] == "update" and r["person_id"]]
    assert entries, "the change left no audit entry"
    last = entries[-1]
    assert "user.preferences" in last["categories"]
    assert "marketing" in last["columns"]


@pytest.mark.parametrize(
    "body",
    [{"preferred_channel": "pigeon"}, {"marketing": "yes please"}, {"favourite_colour": "red"}],
)
def test_bad_preferences_are_refused_and_change_nothing(client, mailbox, body):
    customer(client, mailbox, "ada@example.com")
    answer = client.put(PREFERENCES, json=body)
    assert answer.status_code == 422
    assert client.get(PREFERENCES).json()["updated_at"] is None


def test_anyone_not_signed_in_has_no_preferences_to_see(client):
    assert client.get(PREFERENCES).status_code == 401
    assert client.put(PREFERENCES, json={"marketing": True}).status_code == 401
