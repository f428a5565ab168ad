"""Multi-factor authentication and roles (X2): staff must pass MFA; admin-only endpoints."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.people import customer, enrol_mfa, sign_in, staff, totp_code

ADMIN_API = "/api/v1/admin/accounts"


@pytest.mark.promise("X2")
def test_the_first_admin_is_created_from_the_command_line(create_admin, client):
    result = create_admin("admin@example.com")
    assert result.exit_code == 0, result.output
    assert "created admin account" in result.output
    assert "correct horse" not in result.output
    assert sign_in(client, "admin@example.com").json()["role"] == "admin"


def test_create_admin_refuses_a_mistyped_confirmation(create_admin):
    result = create_admin("admin@example.com", confirm="something else entirely 1")
    assert result.exit_code != 0


@pytest.mark.promise("X2")
def test_staff_cannot_use_the_api_until_mfa_is_passed(client, create_admin):
    create_admin("admin@example.com")
    signed = sign_in(client, "admin@example.com").json()
    assert signed["mfa_passed"] is False and signed["next"] == "mfa_enrol"
    refused = client.get(ADMIN_API)
    assert refused.status_code == 403
    assert "multi-factor" in refused.json()["detail"]
    assert client.get("/api/v1/me").status_code == 403
    enrol_mfa(client)
    assert client.get(ADMIN_API).status_code == 200


@pytest.mark.promise("X2")
def test_an_admin_creates_an_agent_who_must_enrol_mfa(admin, mailbox, new_client):
    agent = new_client()
    created = staff(admin, mailbox, agent, "agent@example.com", "agent")
    assert created["role"] == "agent" and created["email"] == "agent@example.com"
    assert agent.get("/api/v1/me").status_code == 403
    enrol_mfa(agent)
    assert agent.get("/api/v1/me").json()["role"] == "agent"


@pytest.mark.promise("X2")
def test_mfa_at_sign_in_takes_a_code_or_a_recovery_code_once(client, create_admin, new_client):
    create_admin("admin@example.com")
    sign_in(client, "admin@example.com")
    secret, codes = enrol_mfa(client)
    assert len(codes) == 10

    later = new_client()
    assert sign_in(later, "admin@example.com").json()["next"] == "mfa"
    assert later.post("/api/v1/auth/mfa", json={"code": "000000"}).status_code == 401
    assert later.get(ADMIN_API).status_code == 403
    code = totp_code(secret)
    assert later.post("/api/v1/auth/mfa", json={"code": code}).status_code == 200
    assert later.get(ADMIN_API).status_code == 200

    first, second = new_client(), new_client()
    for browser in (first, second):
        assert sign_in(browser, "admin@example.com").status_code == 200
    assert first.post("/api/v1/auth/mfa", json={"code": codes[0]}).status_code == 200
    reused = second.post("/api/v1/auth/mfa", json={"code": codes[0]})
    assert reused.status_code == 401
    assert second.post("/api/v1/auth/mfa", json={"code": codes[1]}).status_code == 200


@pytest.mark.promise("X2")
def test_a_code_opens_one_session_only(client, create_admin, new_client, audit_rows):
    create_admin("admin@example.com")
    sign_in(client, "admin@example.com")
    secret, _ = enrol_mfa(client)
    first, second = new_client(), new_client()
    for browser in (first, second):
        assert sign_in(browser, "admin@example.com").json()["next"] == "mfa"
    code = totp_code(secret)
    assert first.post("/api/v1/auth/mfa", json={"code": code}).status_code == 200
    replayed = second.post("/api/v1/auth/mfa", json={"code": code})
    assert replayed.status_code == 401
    assert replayed.json()["detail"] == "The code is wrong."
    assert second.get(ADMIN_API).status_code == 403
    assert [r["action"] for r in audit_rows()].count("mfa_failed") == 1
    with clock.frozen_at(clock.now() + timedelta(seconds=30)):  # the next window's code
        assert second.post("/api/v1/auth/mfa", json={"code": totp_code(secret)}).status_code == 200
        assert second.get(ADMIN_API).status_code == 200


@pytest.mark.promise("X2")
def test_admin_endpoints_refuse_customers_agents_and_anonymous_callers(admin, mailbox, new_client):
    anonymous = new_client()
    assert anonymous.get(ADMIN_API).status_code == 401
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    agent = new_client()
    staff(admin, mailbox, agent, "agent@example.com", "agent")
    enrol_mfa(agent)
    for browser in (shopper, agent):
        assert browser.get(ADMIN_API).status_code == 403
        assert (
            browser.post(
                ADMIN_API, json={"email": "x@example.com", "name": "X", "role": "admin"}
            ).status_code
            == 403
        )


@pytest.mark.promise("X2")
def test_an_admin_changes_a_role_and_disables_an_account(admin, mailbox, new_client):
    shopper = new_client()
    me = customer(shopper, mailbox, "ada@example.com")
    promoted = admin.patch(f"{ADMIN_API}/{me['account_id']}", json={"role": "billing"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "billing"
    assert shopper.get("/api/v1/me").status_code == 401  # the change ended its sessions
    assert sign_in(shopper, "ada@example.com").json()["next"] == "mfa_enrol"
    admin.patch(f"{ADMIN_API}/{me['account_id']}", json={"status": "disabled"})
    refused = sign_in(shopper, "ada@example.com")
    assert refused.status_code == 403 and "disabled" in refused.json()["detail"]
    listed = {a["id"]: a for a in admin.get(ADMIN_API).json()["items"]}
    assert listed[me["account_id"]]["status"] == "disabled"


@pytest.mark.promise("X4")
def test_wrong_mfa_codes_are_throttled_and_recorded_as_security_events(
    client, create_admin, new_client, audit_rows
):
    create_admin("admin@example.com")
    sign_in(client, "admin@example.com")
    secret, _ = enrol_mfa(client)
    attacker = new_client()
    sign_in(attacker, "admin@example.com")  # a stolen password, but no second factor
    answers = [attacker.post("/api/v1/auth/mfa", json={"code": "000000"}) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    assert answers[3].status_code == 429
    assert int(answers[3].headers["Retry-After"]) >= 1
    right = totp_code(secret)
    assert attacker.post("/api/v1/auth/mfa", json={"code": right}).status_code == 429
    assert [r["action"] for r in audit_rows()].count("mfa_failed") == 3
