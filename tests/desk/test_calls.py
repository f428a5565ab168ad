"""Calls and their recordings over HTTP (D6): who logs, reads, changes and deletes them; a
recording only after the notice, heard only by call reviewers and the privacy officer."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from steward.core import clock
from steward.core.db import make_engine, release

AUDIO = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8


def log(browser: TestClient, person_id: str, **extra):
    return browser.post(
        "/api/v1/calls",
        json={
            "person_id": person_id,
            "number": "(713) 555-0140",
            "direction": "inbound",
            "duration_seconds": 300,
            "recording_notice_played": True,
            "notes": "Generator will not start after the storm.",
            **extra,
        },
    )


def upload(browser: TestClient, call_id: str, data: bytes = AUDIO, content_type="audio/wav"):
    return browser.post(
        f"/api/v1/calls/{call_id}/recording", files={"file": ("call.wav", data, content_type)}
    )


def recording_files(settings) -> list:
    root = settings.files_dir / "recordings"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_agent_logs_a_call_with_the_number_in_international_form(team):
    _, ada = team.customer("ada")
    answer = log(team["agent"], ada)
    assert answer.status_code == 201, answer.text
    call = answer.json()
    assert call["number"] == "+17135550140"
    assert call["person_id"] == ada
    assert call["notes"] == "Generator will not start after the storm."
    assert call["has_recording"] is False
    assert team["agent"].get(f"/api/v1/calls/{call['id']}").json() == call


def test_an_invalid_number_or_an_unknown_caller_is_refused(team):
    _, ada = team.customer("ada")
    assert log(team["agent"], ada, number="12345").status_code == 422
    assert log(team["agent"], ada, number="not a number").status_code == 422
    unknown = "00000000-0000-0000-0000-000000000000"
    assert log(team["agent"], unknown).status_code == 422
    assert log(team["agent"], ada, direction="sideways").status_code == 422
    assert team["agent"].get("/api/v1/calls").json()["items"] == []


def test_customers_see_their_own_calls_without_the_agents_notes(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, bob = team.customer("bob")
    call = log(team["agent"], ada).json()
    log(team["agent"], bob)
    mine = ada_browser.get("/api/v1/calls").json()["items"]
    assert [c["id"] for c in mine] == [call["id"]]
    assert mine[0]["number"] == "+17135550140"
    assert mine[0]["notes"] is None
    assert ada_browser.get(f"/api/v1/calls/{call['id']}").json()["notes"] is None
    assert bob_browser.get(f"/api/v1/calls/{call['id']}").status_code == 404
    assert [c["person_id"] for c in bob_browser.get("/api/v1/calls").json()["items"]] == [bob]
    # Asking for someone else's calls by filter shows nothing of theirs.
    assert bob_browser.get("/api/v1/calls", params={"person_id": ada}).json()["items"] == []


def test_only_agents_and_admins_log_and_change_calls(team):
    ada_browser, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert log(ada_browser, ada).status_code == 403
    assert log(team["billing"], ada).status_code == 403
    assert team["billing"].get("/api/v1/calls").status_code == 403
    assert team["billing"].get(f"/api/v1/calls/{call['id']}").status_code == 403
    assert team["call_reviewer"].get("/api/v1/calls").status_code == 403
    change = {"notes": "Customer was told."}
    assert ada_browser.patch(f"/api/v1/calls/{call['id']}", json=change).status_code == 403
    changed = team["agent"].patch(f"/api/v1/calls/{call['id']}", json=change)
    assert changed.status_code == 200
    assert changed.json()["notes"] == "Customer was told."
    assert (
        team["admin"].patch(f"/api/v1/calls/{call['id']}", json={"notes": None}).json()["notes"]
        is None
    )


def test_only_an_admin_deletes_a_call(team):
    ada_browser, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert team["agent"].delete(f"/api/v1/calls/{call['id']}").status_code == 403
    assert ada_browser.delete(f"/api/v1/calls/{call['id']}").status_code == 403
    assert team["admin"].delete(f"/api/v1/calls/{call['id']}").status_code == 204
    assert team["agent"].get(f"/api/v1/calls/{call['id']}").status_code == 404
    assert team["admin"].delete(f"/api/v1/calls/{call['id']}").status_code == 404


def test_calls_are_listed_newest_first_by_page_and_date_range(team):
    _, ada = team.customer("ada")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for hours in range(3):
        at = (start + timedelta(hours=hours)).isoformat()
        assert log(team["agent"], ada, started_at=at).status_code == 201
    agent = team["agent"]
    first = agent.get("/api/v1/calls", params={"limit": 2}).json()
    assert [c["started_at"][11:16] for c in first["items"]] == ["11:00", "10:00"]
    assert first["next_offset"] == 2
    rest = agent.get("/api/v1/calls", params={"limit": 2, "offset": 2}).json()
    assert [c["started_at"][11:16] for c in rest["items"]] == ["09:00"]
    assert rest["next_offset"] is None
    window = {"started_from": "2026-11-02T09:30:00Z", "started_to": "2026-11-02T10:30:00Z"}
    ranged = agent.get("/api/v1/calls", params=window).json()["items"]
    assert [c["started_at"][11:16] for c in ranged] == ["10:00"]
    assert agent.get("/api/v1/calls", params={"limit": 0}).status_code == 422
    naive = agent.get("/api/v1/calls", params={"started_from": "2026-11-02T09:30:00"})
    assert naive.status_code == 422


@pytest.mark.promise("D6")
def test_a_recording_is_refused_when_the_caller_was_not_told_calls_are_recorded(
    team, identity_settings
):
    _, ada = team.customer("ada")
    call = log(team["agent"], ada, recording_notice_played=False).json()
    answer = upload(team["agent"], call["id"])
    assert answer.status_code == 422
    assert "Recording without the notice is not allowed" in answer.json()["detail"]
    assert recording_files(identity_settings) == []
    assert team["agent"].get(f"/api/v1/calls/{call['id']}").json()["has_recording"] is False
    assert team["call_reviewer"].get(f"/api/v1/calls/{call['id']}/recording").status_code == 404


@pytest.mark.promise("D6", "X3")
def test_only_call_reviewers_and_the_privacy_officer_listen_and_each_listen_is_audited(
    team, identity_settings, audit_rows
):
    ada_browser, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    stored = upload(team["agent"], call["id"])
    assert stored.status_code == 201, stored.text
    assert stored.json()["size"] == len(AUDIO)
    assert stored.json()["content_type"] == "audio/wav"
    assert team["agent"].get(f"/api/v1/calls/{call['id']}").json()["has_recording"] is True
    files = recording_files(identity_settings)
    assert len(files) == 1 and AUDIO[20:200] not in files[0].read_bytes()  # sealed on disk

    path = f"/api/v1/calls/{call['id']}/recording"
    for role in ("agent", "billing", "admin"):
        assert team[role].get(path).status_code == 403, role
    assert ada_browser.get(path).status_code == 403
    for role in ("call_reviewer", "privacy_officer"):
        heard = team[role].get(path)
        assert heard.status_code == 200, role
        assert heard.content == AUDIO
        assert heard.headers["content-type"] == "audio/wav"
    listens = [r for r in audit_rows() if r["action"] == "listen"]
    assert len(listens) == 2
    assert {r["purpose"] for r in listens} == {"essential.service.quality"}
    assert {r["person_id"] for r in listens} == {ada}
    assert {r["actor_role"] for r in listens} == {"call_reviewer", "privacy_officer"}


@pytest.mark.promise("X3")
def test_an_agent_refused_a_call_recording_leaves_an_audit_entry(team, audit_rows):
    _, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert upload(team["agent"], call["id"]).status_code == 201
    refused = team["agent"].get(f"/api/v1/calls/{call['id']}/recording")
    assert refused.status_code == 403
    entries = [r for r in audit_rows() if r["outcome"] == "refused"]
    assert [(r["actor_role"], r["action"]) for r in entries] == [("agent", "refused")]
    assert entries[0]["person_id"] is None  # refused before the call was looked up


def test_a_call_has_at_most_one_recording_and_it_must_be_audio(team, monkeypatch):
    _, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert upload(team["agent"], call["id"], content_type="text/plain").status_code == 422
    assert upload(team["agent"], call["id"], data=b"").status_code == 422
    monkeypatch.setattr("steward.desk.calls.MAX_RECORDING_BYTES", 1000)
    assert upload(team["agent"], call["id"], data=b"x" * 1001).status_code == 413
    monkeypatch.undo()
    assert upload(team["agent"], call["id"]).status_code == 201
    assert upload(team["agent"], call["id"]).status_code == 409
    missing = "00000000-0000-0000-0000-000000000000"
    assert upload(team["agent"], missing).status_code == 404
    ada_browser = team.customer("ada")[0]
    assert upload(ada_browser, call["id"]).status_code == 403


@pytest.mark.promise("D6")
def test_the_privacy_officer_deletes_a_recording_on_request_and_the_call_stays(
    team, identity_settings
):
    _, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert upload(team["agent"], call["id"]).status_code == 201
    path = f"/api/v1/calls/{call['id']}/recording"
    assert team["call_reviewer"].delete(path).status_code == 403
    assert team["agent"].delete(path).status_code == 403
    assert team["privacy_officer"].delete(path).status_code == 204
    assert recording_files(identity_settings) == []
    assert team["call_reviewer"].get(path).status_code == 404
    assert team["agent"].get(f"/api/v1/calls/{call['id']}").json()["has_recording"] is False
    assert team["privacy_officer"].delete(path).status_code == 404


@pytest.mark.promise("D6")
def test_deleting_a_call_deletes_its_recording_file(team, identity_settings):
    _, ada = team.customer("ada")
    call = log(team["agent"], ada).json()
    assert upload(team["agent"], call["id"]).status_code == 201
    assert len(recording_files(identity_settings)) == 1
    assert team["admin"].delete(f"/api/v1/calls/{call['id']}").status_code == 204
    assert recording_files(identity_settings) == []


def test_a_call_starts_now_unless_a_moment_with_its_timezone_is_given(team):
    _, ada = team.customer("ada")
    moment = clock.now().replace(microsecond=0)
    with clock.frozen_at(moment):
        call = log(team["agent"], ada).json()
    assert datetime.fromisoformat(call["started_at"]) == moment
    assert log(team["agent"], ada, started_at="2026-11-02T09:00:00").status_code == 422


def test_a_call_links_to_a_ticket_of_its_caller_only(team):
    ada_browser, ada = team.customer("ada")
    bob_browser, _ = team.customer("bob")
    opened = ada_browser.post("/api/v1/tickets", json={"subject": "No power", "body": "Help."})
    assert opened.status_code == 201, opened.text
    ada_ticket = opened.json()["id"]
    bob_ticket = bob_browser.post("/api/v1/tickets", json={"subject": "Noise", "body": "Hm."})
    agent = team["agent"]
    call = log(agent, ada, ticket_id=ada_ticket)
    assert call.status_code == 201
    assert call.json()["ticket_id"] == ada_ticket
    assert log(agent, ada, ticket_id=bob_ticket.json()["id"]).status_code == 422
    assert log(agent, ada, ticket_id=999_999).status_code == 422
    other = log(agent, ada).json()
    path = f"/api/v1/calls/{other['id']}"
    assert agent.patch(path, json={"ticket_id": bob_ticket.json()["id"]}).status_code == 422
    assert agent.patch(path, json={"ticket_id": ada_ticket}).json()["ticket_id"] == ada_ticket
    linked = agent.get("/api/v1/calls", params={"ticket_id": ada_ticket}).json()["items"]
    assert {c["id"] for c in linked} == {call.json()["id"], other["id"]}
    assert agent.patch(path, json={"ticket_id": None}).json()["ticket_id"] is None


def test_a_restricted_callers_calls_are_listed_without_their_number_or_notes(
    team, identity_settings
):
    _, ada = team.customer("ada")
    _, bob = team.customer("bob")
    log(team["agent"], ada)
    log(team["agent"], bob)
    # Restriction of processing (R5) is recorded by the rights engine; here, straight away.
    engine = make_engine(identity_settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE people SET restricted_at = :now WHERE id = :id"),
            {"now": clock.now(), "id": ada},
        )
    release(engine)
    listed = team["agent"].get("/api/v1/calls").json()["items"]
    numbers = {c["person_id"]: (c["number"], c["notes"]) for c in listed}
    assert numbers[ada] == (None, None)
    assert numbers[bob][0] == "+17135550140"
    one = next(c for c in listed if c["person_id"] == ada)
    assert team["agent"].get(f"/api/v1/calls/{one['id']}").status_code == 403
