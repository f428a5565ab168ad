"""Usage events are kept only with consent to analytics and without a GPC signal (C1, R10)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from steward.core import clock
from tests.consent.kit import choose, new_browser_id, usage_rows

GPC = {"Sec-GPC": "1"}


def _view(browser, browser_id, headers=None, path="/pricing"):
    body = {"browser_id": browser_id, "kind": "page_view", "path": path}
    return browser.post("/api/v1/events", json=body, headers=headers or {})


@pytest.mark.promise("C1")
def test_without_consent_nothing_is_stored(app, client):
    browser_id = new_browser_id()
    answer = _view(client, browser_id)
    assert answer.status_code == 200
    assert answer.json()["stored"] is False
    assert "consented" in answer.json()["reason"]
    assert usage_rows(app, browser_id) == []


@pytest.mark.promise("C1")
def test_after_a_rejection_nothing_is_stored(app, client):
    browser_id = new_browser_id()
    choose(client, {"analytics": False, "functional": True}, browser_id=browser_id)
    assert _view(client, browser_id).json()["stored"] is False
    assert usage_rows(app, browser_id) == []


@pytest.mark.promise("C1")
def test_with_consent_a_page_view_is_stored_without_query_or_full_ip(app):
    with TestClient(app, client=("198.51.100.23", 40000)) as visitor:
        browser_id = choose(visitor, {"analytics": True})["browser_id"]
        answer = _view(visitor, browser_id, path="/pricing?email=ada@example.com#top")
    assert answer.status_code == 202
    assert answer.json() == {"stored": True}
    [row] = usage_rows(app, browser_id)
    assert (row.kind, row.path, row.ip_prefix) == ("page_view", "/pricing", "198.51.100.0/24")


@pytest.mark.promise("C1")
def test_after_withdrawal_nothing_more_is_stored(app, client):
    browser_id = new_browser_id()
    choose(client, {"analytics": True}, browser_id=browser_id)
    assert _view(client, browser_id).status_code == 202
    with clock.frozen_at(clock.now() + timedelta(minutes=1)):
        choose(client, {"analytics": False}, browser_id=browser_id)
        assert _view(client, browser_id).json()["stored"] is False
    assert len(usage_rows(app, browser_id)) == 1


@pytest.mark.promise("R10")
def test_a_gpc_signal_stops_storing_even_with_consent(app, client):
    browser_id = new_browser_id()
    choose(client, {"analytics": True}, browser_id=browser_id)
    answer = _view(client, browser_id, headers=GPC)
    assert answer.status_code == 200
    assert answer.json()["stored"] is False
    assert "Global Privacy Control" in answer.json()["reason"]
    assert usage_rows(app, browser_id) == []


def test_unknown_kinds_and_extra_fields_are_refused(client):
    browser_id = new_browser_id()
    assert (
        client.post("/api/v1/events", json={"browser_id": browser_id, "kind": "x"}).status_code
        == 422
    )
    body = {"browser_id": browser_id, "kind": "event", "email": "ada@example.com"}
    assert client.post("/api/v1/events", json=body).status_code == 422
