"""Signing in, throttling with growing delays, lockout and the emailed unlock link (X4)."""

from datetime import datetime, timedelta

import pytest

from steward.core import clock
from tests.people import customer, sign_in

START = datetime(2026, 3, 2, 9, 0)
LOCKED = "Too many failed attempts: sign-in is locked."


@pytest.fixture
def ada(client, mailbox, new_client):
    with clock.frozen_at(START):
        customer(new_client(), mailbox, "ada@example.com")
        yield "ada@example.com"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, ada):
    wrong = sign_in(client, ada, "not the right password")
    unknown = sign_in(client, "nobody@example.com", "not the right password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "example.com" not in wrong.text


@pytest.mark.promise("X4")
def test_after_three_failures_the_next_attempt_waits_a_growing_delay(client, ada):
    for _ in range(3):
        assert sign_in(client, ada, "not the right password").status_code == 401
    early = sign_in(client, ada)
    assert early.status_code == 429
    assert early.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert sign_in(client, ada, "not the right password").status_code == 401
    assert sign_in(client, ada).headers["Retry-After"] == "2"
    clock.advance(timedelta(seconds=2))
    assert sign_in(client, ada).status_code == 200


@pytest.mark.promise("X4")
def test_one_address_guessing_many_accounts_is_slowed_down_too(client, ada):
    for n in range(3):
        sign_in(client, f"guess{n}@example.com", "not the right password")
    assert sign_in(client, ada).status_code == 429


@pytest.mark.promise("X4")
def test_a_locked_account_needs_the_emailed_unlock_link(client, mailbox, ada, audit_rows):
    for n in range(10):
        answer = sign_in(client, ada, "not the right password")
        assert answer.status_code == (423 if n == 9 else 401)
        clock.advance(timedelta(minutes=2))
    assert answer.json()["detail"].startswith(LOCKED)
    refused = sign_in(client, ada)
    assert refused.status_code == 423  # even the right password
    assert mailbox.last_to(ada)["Subject"] == "Your account is locked"
    token = mailbox.token_in_last(ada, "/unlock")
    assert client.post("/api/v1/auth/unlock", json={"token": token}).status_code == 200
    clock.advance(timedelta(minutes=3))  # this address is still slowed down for a while
    assert sign_in(client, ada).status_code == 200

    security = [r for r in audit_rows() if r["purpose"] == "essential.service.security"]
    actions = [r["action"] for r in security]
    assert actions.count("sign_in_failed") == 10
    assert "account_locked" in actions and "account_unlocked" in actions
    assert all(r["person_id"] for r in security)
    assert not any("example.com" in str(v) for r in audit_rows() for v in r.values())


@pytest.mark.promise("X4")
def test_an_unknown_address_locks_with_the_same_answer(client):
    with clock.frozen_at(START):
        for _ in range(10):
            answer = sign_in(client, "nobody@example.com", "not the right password")
            clock.advance(timedelta(minutes=2))
    assert answer.status_code == 423
    assert answer.json()["detail"].startswith(LOCKED)
