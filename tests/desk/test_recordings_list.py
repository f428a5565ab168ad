"""Call reviewers find the kept recordings through the API (D6): a list with nothing about
the callers, for the reviewing roles only, each listing audited."""

import pytest
from fastapi.testclient import TestClient

from tests.desk.team import Team

AUDIO = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8


def log(browser: TestClient, person_id: str, **extra) -> dict:
    answer = browser.post(
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
    assert answer.status_code == 201, answer.text
    return answer.json()


def upload(browser: TestClient, call_id: str):
    files = {"file": ("call.wav", AUDIO, "audio/wav")}
    return browser.post(f"/api/v1/calls/{call_id}/recording", files=files)


@pytest.mark.promise("D6")
def test_a_reviewer_lists_the_kept_recordings_without_numbers_or_notes(team: Team, audit_rows):
    _, ada = team.customer("ada")
    recorded = log(team["agent"], ada)
    assert upload(team["agent"], recorded["id"]).status_code == 201
    log(team["agent"], ada)  # a call without a recording is not listed

    for role in ("call_reviewer", "privacy_officer"):
        listed = team[role].get("/api/v1/recordings")
        assert listed.status_code == 200, role
        [item] = listed.json()["items"]
        assert item["call_id"] == recorded["id"]
        assert item["duration_seconds"] == 300
        assert item["direction"] == "inbound"
        assert item["content_type"] == "audio/wav"
        assert "+17135550140" not in listed.text
        assert "Generator" not in listed.text
        assert ada not in listed.text
    listings = [r for r in audit_rows() if r["action"] == "list"]
    assert {r["actor_role"] for r in listings} == {"call_reviewer", "privacy_officer"}
    assert {r["purpose"] for r in listings} == {"essential.service.quality"}
    assert {r["person_id"] for r in listings} == {None}


@pytest.mark.promise("D6")
def test_agents_billing_staff_and_customers_cannot_list_recordings(team: Team):
    ada_browser, _ = team.customer("ada")
    for browser in (team["agent"], team["billing"], team["admin"], ada_browser):
        assert browser.get("/api/v1/recordings").status_code == 403


def test_recordings_are_listed_by_the_calls_start_and_by_page(team: Team):
    _, ada = team.customer("ada")
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        call = log(team["agent"], ada, started_at=f"{day}T10:00:00Z")
        assert upload(team["agent"], call["id"]).status_code == 201
    reviewer = team["call_reviewer"]
    first = reviewer.get("/api/v1/recordings", params={"limit": 2}).json()
    assert [i["call_started_at"][:10] for i in first["items"]] == ["2026-03-03", "2026-03-02"]
    rest = reviewer.get("/api/v1/recordings", params={"offset": first["next_offset"]}).json()
    assert [i["call_started_at"][:10] for i in rest["items"]] == ["2026-03-01"]
    assert rest["next_offset"] is None
    window = {"since": "2026-03-02T00:00:00Z", "until": "2026-03-03T00:00:00Z"}
    only = reviewer.get("/api/v1/recordings", params=window).json()["items"]
    assert [i["call_started_at"][:10] for i in only] == ["2026-03-02"]
