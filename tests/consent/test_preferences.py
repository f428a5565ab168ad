"""Notification preferences (C5): each person sees and changes only their own."""

import pytest

from steward.consent.preferences import MARKETING
from tests.consent.kit import ledger_rows
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
        "service_times": None,
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


@pytest.mark.promise("C5")
def test_a_customer_keeps_preferred_service_times_through_the_api(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    answer = client.put(PREFERENCES, json={"service_times": "  Weekdays after 3 pm  "})
    assert answer.status_code == 200, answer.text
    assert client.get(PREFERENCES).json()["service_times"] == "Weekdays after 3 pm"
    client.put(PREFERENCES, json={"service_times": ""})
    assert client.get(PREFERENCES).json()["service_times"] is None


@pytest.mark.parametrize(
    "times", ["x" * 201, "my card is 4111 1111 1111 1111"], ids=["too long", "card number"]
)
def test_service_times_that_are_too_long_or_hold_a_card_number_are_refused(client, mailbox, times):
    customer(client, mailbox, "ada@example.com")
    assert client.put(PREFERENCES, json={"service_times": times}).status_code == 422
    assert client.get(PREFERENCES).json()["service_times"] is None


def _csrf(client) -> str:
    return client.cookies.get("steward_csrf") or ""


@pytest.mark.promise("C5")
def test_the_portal_account_page_edits_service_times(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    page = client.get("/portal/account")
    assert 'name="service_times"' in page.text
    form = {"csrf_token": _csrf(client), "ticket_updates": "on", "service_times": "Mornings"}
    answer = client.post("/portal/account/preferences", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert client.get(PREFERENCES).json()["service_times"] == "Mornings"
    assert "Mornings" in client.get("/portal/account").text


@pytest.mark.promise("C5")
def test_the_privacy_center_edits_preferences_for_a_signed_in_person(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    assert 'action="/privacy/center/preferences"' in client.get("/privacy/center").text
    form = {"csrf_token": _csrf(client), "service_messages": "on", "service_times": "Evenings"}
    answer = client.post("/privacy/center/preferences", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    found = client.get(PREFERENCES).json()
    assert found["service_times"] == "Evenings"
    assert found["ticket_updates"] is False  # an unticked box is a switch turned off


@pytest.mark.promise("C2")
def test_switching_marketing_in_the_portal_is_recorded_in_the_consent_ledger(app, client, mailbox):
    customer(client, mailbox, "ada@example.com")
    person_id = client.get("/api/v1/me").json()["person_id"]
    form = {"csrf_token": _csrf(client), "marketing": "on"}
    client.post("/portal/account/preferences", data=form, follow_redirects=False)
    client.post("/portal/account/preferences", data={"csrf_token": _csrf(client)})

    events = [e for e in ledger_rows(app, person_id) if e.purpose == MARKETING]
    assert [(e.choice, e.method) for e in events] == [("given", "form"), ("withdrawn", "form")]
    assert client.get(PREFERENCES).json()["marketing"] is False
