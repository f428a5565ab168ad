"""X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
STEWARD_TRUSTED_PROXIES (none by default), so a password spray cannot pick a new address
for each guess to escape the sign-in throttle (X4)."""

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from steward.core import clock
from steward.core.db import release
from steward.web.app import create_app
from tests.people import customer, sign_in

START = datetime(2026, 3, 2, 9, 0)
PROXY = ("10.1.2.3", 40000)


def spray(browser: TestClient, guesses: int = 30, forwarded_for=None) -> list[int]:
    """Wrong passwords for made-up accounts, each claiming another address by default."""
    statuses = []
    for n in range(guesses):
        address = forwarded_for or f"198.51.100.{n + 1}"
        answer = browser.post(
            "/api/v1/auth/sign-in",
            json={"email": f"guess{n}@example.com", "password": "not the right password"},
            headers={"X-Forwarded-For": address},
        )
        statuses.append(answer.status_code)
    return statuses


@pytest.fixture
def proxied_app(identity_settings):
    app = create_app(identity_settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}))
    yield app
    release(app.state.sessions.kw["bind"])


@pytest.mark.promise("X4")
def test_a_forwarded_address_from_an_unnamed_peer_does_not_escape_the_throttle(app):
    with clock.frozen_at(START), TestClient(app, client=("127.0.0.1", 40000)) as sprayer:
        assert spray(sprayer) == [401] * 3 + [429] * 27


@pytest.mark.promise("X4")
def test_behind_a_named_proxy_each_forwarded_client_is_throttled_on_its_own(proxied_app):
    with clock.frozen_at(START), TestClient(proxied_app, client=PROXY) as proxy:
        assert spray(proxy, 3, forwarded_for="203.0.113.7") == [401] * 3
        assert spray(proxy, 1, forwarded_for="203.0.113.7") == [429]
        assert spray(proxy, 1, forwarded_for="203.0.113.8") == [401]
    with clock.frozen_at(START), TestClient(proxied_app, client=("192.0.2.9", 1)) as stranger:
        assert spray(stranger, 5) == [401] * 3 + [429] * 2  # not a named proxy


def test_only_a_named_proxy_says_the_client_used_https(proxied_app, mailbox, new_client):
    customer(new_client(), mailbox, "ada@example.com")
    https = {"X-Forwarded-Proto": "https"}
    with TestClient(proxied_app, client=PROXY, headers=https) as proxy:
        answer = sign_in(proxy, "ada@example.com")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        assert all("; secure" in c.lower() for c in answer.headers.get_list("set-cookie"))
    with TestClient(proxied_app, client=("192.0.2.9", 1), headers=https) as stranger:
        answer = sign_in(stranger, "ada@example.com")
        assert "strict-transport-security" not in answer.headers
        assert not any("; secure" in c.lower() for c in answer.headers.get_list("set-cookie"))
