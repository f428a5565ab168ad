"""Registering, confirming the address by the emailed link, and the password rules."""

import pytest

from tests.people import PASSWORD, register, sign_in, verify


def test_a_new_customer_confirms_the_address_by_the_emailed_link_and_signs_in(client, mailbox):
    answer = register(client, "ada@example.com")
    assert answer.status_code == 202
    assert answer.json()["status"] == "unverified"
    mail = mailbox.last_to("ada@example.com")
    assert mail["Subject"] == "Confirm your email address"
    assert mail["From"] == "service@houstongeneratorcompany.com"
    assert sign_in(client, "ada@example.com").status_code == 403  # not confirmed yet
    assert verify(client, mailbox, "ada@example.com").json()["status"] == "active"
    signed = sign_in(client, "ada@example.com")
    assert signed.status_code == 200
    assert signed.json()["next"] == "ready"
    cookie = signed.headers["set-cookie"]
    assert "steward_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_verification_link_works_only_once(client, mailbox):
    register(client, "ada@example.com")
    assert verify(client, mailbox, "ada@example.com").status_code == 200
    again = verify(client, mailbox, "ada@example.com")
    assert again.status_code == 400
    assert again.json()["detail"] == "This link is not valid or has already been used."


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 12 characters"),
        ("Password1234", "most common passwords"),
        ("QWERTYUIOP123", "most common passwords"),
    ],
)
def test_a_weak_or_common_password_is_refused_with_a_clear_reason(client, password, reason):
    answer = register(client, "ada@example.com", password=password)
    assert answer.status_code == 422
    assert reason in answer.json()["detail"]


def test_registering_a_taken_address_answers_as_a_new_one_and_tells_its_owner(client, mailbox):
    """Our choice: the same 202 answer, so the form never reveals who has an account; the
    owner of the address learns of the attempt by mail."""
    first = register(client, "ada@example.com")
    second = register(client, "ADA@example.com", password="another long passphrase 7")
    assert second.status_code == first.status_code == 202
    assert second.json() == first.json()
    assert mailbox.last_to("ADA@example.com")["Subject"] == (
        "Someone tried to register with your address"
    )
    verify(client, mailbox, "ada@example.com")
    assert sign_in(client, "ada@example.com", "another long passphrase 7").status_code == 401
    assert sign_in(client, "ada@example.com", PASSWORD).status_code == 200


@pytest.mark.promise("C3")
def test_an_under_age_registration_stays_pending_guardian_and_cannot_sign_in(client, mailbox):
    answer = register(
        client,
        "kid@example.com",
        birth_date="2020-05-01",
        guardian_name="Grace Lovelace",
        guardian_email="grace@example.com",
    )
    assert answer.status_code == 202
    assert answer.json()["status"] == "pending_guardian"
    assert "guardian" in answer.json()["detail"]
    assert verify(client, mailbox, "kid@example.com").json()["status"] == "pending_guardian"
    refused = sign_in(client, "kid@example.com")
    assert refused.status_code == 403
    assert "guardian" in refused.json()["detail"]


@pytest.mark.promise("C3")
def test_the_policy_with_a_children_section_asks_for_the_date_of_birth(client):
    answer = register(client, "ada@example.com", birth_date=None)
    assert answer.status_code == 422
    assert answer.json()["detail"] == "Enter your date of birth."


@pytest.mark.promise("C3")
def test_a_child_is_not_asked_for_data_the_policy_does_not_collect_from_children(client):
    answer = register(client, "kid@example.com", birth_date="2020-05-01", company="Acme")
    assert answer.status_code == 422
    assert "under 13" in answer.json()["detail"]
