"""Remote-access sessions over HTTP (D5): only with the customer's consent, the device named
by username, IP, hostname or alias, never recorded, and visible to the customer."""

import pytest
from fastapi.testclient import TestClient


def start(browser: TestClient, person_id: str, **extra):
    return browser.post(
        "/api/v1/remote-sessions",
        json={
            "person_id": person_id,
            "customer_consented": True,
            "identifier_kind": "hostname",
            "identifier": "Office-PC.example.com.",
            **extra,
        },
    )


@pytest.mark.promise("D5")
def test_a_session_is_refused_until_the_customer_has_consented(team):
    _, ada = team.customer("ada")
    refused = start(team["agent"], ada, customer_consented=False)
    assert refused.status_code == 422
    assert "consent" in refused.json()["detail"]
    body = {"person_id": ada, "identifier_kind": "ip", "identifier": "10.0.0.5"}
    assert team["agent"].post("/api/v1/remote-sessions", json=body).status_code == 422
    assert team["agent"].get("/api/v1/remote-sessions").json()["items"] == []


@pytest.mark.promise("D5")
def test_a_session_carrying_a_recording_is_refused_because_sessions_are_never_recorded(team):
    _, ada = team.customer("ada")
    for field in ("recording", "recording_url", "recorded"):
        refused = start(team["agent"], ada, **{field: "https://example.com/session.mp4"})
        assert refused.status_code == 422, field
        assert "never recorded" in refused.json()["detail"]
    assert start(team["agent"], ada, screenshots=True).status_code == 422  # any unknown field
    assert team["agent"].get("/api/v1/remote-sessions").json()["items"] == []
    session = start(team["agent"], ada).json()
    path = f"/api/v1/remote-sessions/{session['id']}"
    changed = team["agent"].patch(path, json={"recording": "x"})
    assert changed.status_code == 422
    assert "never recorded" in changed.json()["detail"]
    assert "recording" not in session


@pytest.mark.promise("D5")
def test_the_device_is_named_by_a_username_ip_hostname_or_alias_checked_for_its_kind(team):
    _, ada = team.customer("ada")
    agent = team["agent"]
    session = start(agent, ada).json()
    assert session["identifier_kind"] == "hostname"
    assert session["identifier"] == "office-pc.example.com"
    ipv6 = start(agent, ada, identifier_kind="ip", identifier="2001:DB8::1").json()
    assert ipv6["identifier"] == "2001:db8::1"
    assert start(agent, ada, identifier_kind="username", identifier="ada.l").status_code == 201
    assert start(agent, ada, identifier_kind="alias", identifier="Front desk").status_code == 201
    for kind, identifier in (
        ("ip", "999.1.1.1"),
        ("ip", "office-pc"),
        ("hostname", "-bad-.example.com"),
        ("hostname", "under_score.example.com"),
        ("username", "tab\there"),
        ("serial", "ABC123"),
    ):
        answer = start(agent, ada, identifier_kind=kind, identifier=identifier)
        assert answer.status_code == 422, (kind, identifier)
    path = f"/api/v1/remote-sessions/{session['id']}"
    changed = agent.patch(path, json={"identifier_kind": "ip", "identifier": "192.168.1.20"})
    assert changed.status_code == 200
    assert (changed.json()["identifier_kind"], changed.json()["identifier"]) == (
        "ip",
        "192.168.1.20",
    )
    assert agent.patch(path, json={"identifier_kind": "ip"}).status_code == 422
    assert agent.patch(path, json={"identifier": "not an ip"}).status_code == 422


@pytest.mark.promise("D5")
def test_the_customer_sees_their_sessions_while_they_run_and_after_they_end(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, _ = team.customer("bob")
    session = start(team["agent"], ada).json()
    assert session["consent_recorded_at"] is not None
    assert session["ended_at"] is None
    running = ada_browser.get("/api/v1/remote-sessions", params={"active": True}).json()
    assert [s["id"] for s in running["items"]] == [session["id"]]
    assert running["items"][0]["identifier"] == "office-pc.example.com"
    assert bob_browser.get("/api/v1/remote-sessions").json()["items"] == []
    assert bob_browser.get(f"/api/v1/remote-sessions/{session['id']}").status_code == 404

    end = f"/api/v1/remote-sessions/{session['id']}/end"
    assert ada_browser.post(end).status_code == 403
    ended = team["agent"].post(end)
    assert ended.status_code == 200
    assert ended.json()["ended_at"] is not None
    assert team["agent"].post(end).status_code == 409
    assert ada_browser.get("/api/v1/remote-sessions", params={"active": True}).json()["items"] == []
    seen = ada_browser.get(f"/api/v1/remote-sessions/{session['id']}").json()
    assert seen["ended_at"] == ended.json()["ended_at"]


def test_a_session_ends_at_a_given_moment_but_not_before_it_started(team):
    _, ada = team.customer("ada")
    session = start(team["agent"], ada, started_at="2026-11-02T09:00:00Z").json()
    end = f"/api/v1/remote-sessions/{session['id']}/end"
    assert team["agent"].post(end, json={"ended_at": "2026-11-02T08:00:00Z"}).status_code == 422
    ended = team["agent"].post(end, json={"ended_at": "2026-11-02T09:45:00Z"})
    assert ended.json()["ended_at"].startswith("2026-11-02T09:45:00")


def test_only_agents_and_admins_run_sessions_and_only_admins_delete_them(team):
    ada_browser, ada = team.customer("ada")
    assert start(ada_browser, ada).status_code == 403
    assert start(team["billing"], ada).status_code == 403
    assert team["billing"].get("/api/v1/remote-sessions").status_code == 403
    session = start(team["agent"], ada).json()
    technician = team["agent"].get("/api/v1/me").json()["account_id"]
    assert session["technician_id"] == technician
    path = f"/api/v1/remote-sessions/{session['id']}"
    assert team["agent"].delete(path).status_code == 403
    assert ada_browser.delete(path).status_code == 403
    assert team["admin"].delete(path).status_code == 204
    assert team["agent"].get(path).status_code == 404
    unknown = start(team["agent"], "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 422


def test_sessions_are_listed_by_person_newest_first(team):
    _, ada = team.customer("ada")
    _, bob = team.customer("bob")
    first = start(team["agent"], ada, started_at="2026-11-02T09:00:00Z").json()
    second = start(team["agent"], ada, started_at="2026-11-02T10:00:00Z").json()
    start(team["agent"], bob)
    found = team["agent"].get("/api/v1/remote-sessions", params={"person_id": ada}).json()
    assert [s["id"] for s in found["items"]] == [second["id"], first["id"]]
    one = team["agent"].get("/api/v1/remote-sessions", params={"limit": 1}).json()
    assert len(one["items"]) == 1 and one["next_offset"] == 1
