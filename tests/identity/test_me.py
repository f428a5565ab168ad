"""Self-service (R2): people see and correct their own data; a new email needs its link."""

import json

import pytest
from fastapi.testclient import TestClient

from steward.web.app import create_app
from tests.people import customer, sign_in


@pytest.mark.promise("R2")
def test_a_customer_reads_and_corrects_their_own_data_and_it_is_audited(
    client, mailbox, audit_rows
):
    customer(client, mailbox, "ada@example.com")
    me = client.get("/api/v1/me").json()
    assert me["name"] == "Ada Lovelace" and me["email"] == "ada@example.com"
    corrected = client.patch("/api/v1/me", json={"name": "Ada King", "phone": "+1 555 0100"})
    assert corrected.status_code == 200
    assert corrected.json()["name"] == "Ada King"
    assert client.get("/api/v1/me").json()["phone"] == "+1 555 0100"

    updates = [
        r for r in audit_rows() if r["action"] == "update" and r["person_id"] == me["person_id"]
    ]
    assert json.loads(updates[-1]["columns"]) == ["name", "phone"]
    every_value = " ".join(str(v) for r in audit_rows() for v in r.values())
    for personal in ("Ada King", "Lovelace", "555 0100", "ada@example.com"):
        assert personal not in every_value


@pytest.mark.promise("R2")
def test_a_customer_corrects_their_company(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    corrected = client.patch("/api/v1/me", json={"company": "Analytical Engines Ltd"})
    assert corrected.status_code == 200
    assert client.get("/api/v1/me").json()["company"] == "Analytical Engines Ltd"


@pytest.mark.promise("X3")
def test_a_field_the_policy_does_not_use_for_the_account_is_refused_clearly_and_audited(
    identity_settings, mailbox, audit_rows
):
    """Under a policy that keeps the company (user.workplace) in profile data not used for
    running the account, correcting it is refused and the answer says why."""
    policy = identity_settings.policy
    used = "    purposes: [essential.service, essential.service.support, functional.service.improvement]"
    policy.write_text(policy.read_text().replace(used, used.replace("essential.service, ", "")))
    with TestClient(create_app(identity_settings)) as client:
        customer(client, mailbox, "ada@example.com")
        refused = client.patch("/api/v1/me", json={"company": "Analytical Engines Ltd"})
        assert refused.status_code == 403
        detail = refused.json()["detail"]  # plain words; the audit entry keeps the keys
        assert "workplace details" in detail and "user." not in detail
        assert client.get("/api/v1/me").json()["company"] is None
    refusals = [r for r in audit_rows() if r["action"] == "refused"]
    assert refusals and refusals[-1]["outcome"] == "refused"
    assert "user.workplace" in refusals[-1]["categories"]


@pytest.mark.promise("R2")
def test_a_new_email_takes_effect_only_after_its_link_is_followed(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    wrong = client.post("/api/v1/me/email", json={"email": "ada@new.example", "password": "x"})
    assert wrong.status_code == 401
    asked = client.post(
        "/api/v1/me/email",
        json={"email": "ada@new.example", "password": "correct horse battery staple 42"},
    )
    assert asked.status_code == 202
    assert client.get("/api/v1/me").json()["email"] == "ada@example.com"
    token = mailbox.token_in_last("ada@new.example", "/confirm-email")
    assert client.post("/api/v1/me/email/confirm", json={"token": token}).status_code == 200
    assert client.get("/api/v1/me").json()["email"] == "ada@new.example"
    assert mailbox.last_to("ada@example.com")["Subject"] == "Your email address was changed"
    client.post("/api/v1/auth/sign-out")
    assert sign_in(client, "ada@example.com").status_code == 401
    assert sign_in(client, "ada@new.example").status_code == 200
