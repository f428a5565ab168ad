"""Devices, telemetry, service records and maintenance schedules over HTTP: who adds, reads,
changes and deletes them, what customers see of them, validation, card numbers (D4) and the
audit trail (X3)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.desk.team import join, organisation

NIL = "00000000-0000-0000-0000-000000000000"


def device(browser: TestClient, **fields) -> dict:
    answer = browser.post("/api/v1/devices", json={"type": "generator", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def at(minutes: int) -> str:
    moment = datetime(2026, 11, 2, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return moment.isoformat().replace("+00:00", "Z")


def test_agents_add_read_change_and_delete_devices(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    generator = device(
        agent,
        organisation_id=acme["id"],
        make="Generac",
        model="Protector 48kW",
        serial_number="GN-4471-22",
        ip_address=" 192.0.2.10 ",
        mac_address="00-1A-2B-3C-4D-5E",
        hostname="Gen1.Acme.example.",
        operating_system="Evolution 2.0",
        configuration="Exercise weekly, Tuesday 10:00.",
    )
    assert (generator["ip_address"], generator["mac_address"]) == (
        "192.0.2.10",
        "00:1a:2b:3c:4d:5e",
    )
    assert generator["hostname"] == "gen1.acme.example"
    assert (generator["organisation_id"], generator["organisation_name"]) == (acme["id"], "Acme")
    assert generator["serial_number"] == "GN-4471-22"
    assert agent.get(f"/api/v1/devices/{generator['id']}").json() == generator

    changed = agent.patch(
        f"/api/v1/devices/{generator['id']}",
        json={"ip_address": "2001:DB8::1", "configuration": None, "retired": True},
    ).json()
    assert (changed["ip_address"], changed["configuration"]) == ("2001:db8::1", None)
    assert changed["retired_at"] is not None
    assert changed["serial_number"] == "GN-4471-22"
    owner = agent.patch(f"/api/v1/devices/{generator['id']}", json={"organisation_id": NIL})
    assert owner.status_code == 422

    assert agent.delete(f"/api/v1/devices/{generator['id']}").status_code == 204
    assert agent.get(f"/api/v1/devices/{generator['id']}").status_code == 404
    assert agent.delete(f"/api/v1/devices/{generator['id']}").status_code == 404


def test_devices_are_listed_newest_first_by_page_and_filter(team):
    agent = team["agent"]
    acme, other = organisation(agent, "Acme"), organisation(agent, "Other")
    made = [
        device(agent, organisation_id=acme["id"], make="Generac", model=f"G{i}") for i in range(3)
    ]
    printer = device(agent, type="printer", organisation_id=other["id"], make="Kyocera")

    first = agent.get("/api/v1/devices", params={"limit": 2}).json()
    assert [d["id"] for d in first["items"]] == [printer["id"], made[2]["id"]]
    assert first["next_offset"] == 2
    rest = agent.get("/api/v1/devices", params={"offset": 2, "limit": 2}).json()
    assert [d["id"] for d in rest["items"]] == [made[1]["id"], made[0]["id"]]
    assert rest["next_offset"] is None

    def ids(**params):
        return [d["id"] for d in agent.get("/api/v1/devices", params=params).json()["items"]]

    assert ids(organisation_id=other["id"]) == [printer["id"]]
    assert ids(type="printer") == [printer["id"]]
    assert ids(text="kyo") == [printer["id"]]
    assert ids(text="g1") == [made[1]["id"]]
    agent.patch(f"/api/v1/devices/{made[0]['id']}", json={"retired": True})
    assert made[0]["id"] not in ids(include_retired="false")
    assert agent.get("/api/v1/devices", params={"type": "toaster"}).status_code == 422


def test_device_input_is_checked_with_clear_messages_and_nothing_is_kept(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    _, ada_id = team.customer("ada")
    cases = {
        "ip_address": ("192.0.2.300", "This is not an IP address"),
        "mac_address": ("00:1a:2b:3c:4d", "This is not a MAC address"),
        "hostname": ("bad_host!.example", "This is not a hostname"),
    }
    for field, (value, message) in cases.items():
        answer = agent.post(
            "/api/v1/devices",
            json={"type": "server", "organisation_id": acme["id"], field: value},
        )
        assert answer.status_code == 422, field
        assert answer.json()["detail"].startswith(message)
    both = agent.post(
        "/api/v1/devices",
        json={"type": "server", "organisation_id": acme["id"], "person_id": ada_id},
    )
    assert both.status_code == 422
    assert "give one of the two" in both.json()["detail"]
    none = agent.post("/api/v1/devices", json={"type": "server"})
    assert none.status_code == 422
    stranger = agent.post(
        "/api/v1/devices",
        json={"type": "server", "organisation_id": acme["id"], "assigned_to_id": ada_id},
    )
    assert stranger.status_code == 422
    assert stranger.json()["detail"] == (
        "An organisation's device is assigned only to a member of it."
    )
    toaster = agent.post("/api/v1/devices", json={"type": "toaster", "organisation_id": acme["id"]})
    assert toaster.status_code == 422
    assert "type" in toaster.json()["detail"]
    assert agent.get("/api/v1/devices").json()["items"] == []


@pytest.mark.promise("D4")
def test_a_card_number_in_configuration_notes_is_refused_and_nothing_is_kept(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    answer = agent.post(
        "/api/v1/devices",
        json={
            "type": "workstation",
            "organisation_id": acme["id"],
            "configuration": "Billing PC; customer card 4111 1111 1111 1111 for renewals",
        },
    )
    assert answer.status_code == 422
    assert "4111" not in answer.text
    assert agent.get("/api/v1/devices").json()["items"] == []
    kept = device(agent, organisation_id=acme["id"], configuration="Serial 4111-22")
    changed = agent.patch(
        f"/api/v1/devices/{kept['id']}", json={"configuration": "card 5500 0000 0000 0004"}
    )
    assert changed.status_code == 422
    assert agent.get(f"/api/v1/devices/{kept['id']}").json()["configuration"] == "Serial 4111-22"


def test_an_id_whose_digits_pass_for_a_card_is_kept_as_it_is(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    asset = "0193a4b2-1c2d-7e3f-9abc-401234567899"  # its last group alone passes the card check
    kept = device(agent, organisation_id=acme["id"], configuration=f"Mirrors asset {asset}")
    assert agent.get(f"/api/v1/devices/{kept['id']}").json()["configuration"] == (
        f"Mirrors asset {asset}"
    )
    refused = agent.patch(
        f"/api/v1/devices/{kept['id']}", json={"configuration": f"{asset} card 4111 1111 1111 1111"}
    )
    assert refused.status_code == 422


def test_customers_see_their_organisations_devices_and_their_own_and_no_others(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    eve, eve_id = team.customer("eve")
    acme, other = organisation(agent, "Acme"), organisation(agent, "Other")
    join(agent, acme["id"], ada_id, "end_user")
    shared = device(agent, organisation_id=acme["id"], serial_number="ACME-1")
    own = device(agent, type="workstation", person_id=ada_id, serial_number="ADA-1")
    elsewhere = device(agent, organisation_id=other["id"], serial_number="OTHER-1")
    evelyn = device(agent, type="workstation", person_id=eve_id, serial_number="EVE-1")

    listed = ada.get("/api/v1/devices").json()["items"]
    assert {d["id"]: d["serial_number"] for d in listed} == {
        shared["id"]: "ACME-1",
        own["id"]: "ADA-1",
    }
    assert ada.get(f"/api/v1/devices/{own['id']}").json()["serial_number"] == "ADA-1"
    for hidden in (elsewhere, evelyn):
        assert ada.get(f"/api/v1/devices/{hidden['id']}").status_code == 404
        assert ada.get(f"/api/v1/devices/{hidden['id']}/telemetry").status_code == 404
    assert [d["id"] for d in eve.get("/api/v1/devices").json()["items"]] == [evelyn["id"]]
    assert (
        ada.post("/api/v1/devices", json={"type": "printer", "person_id": ada_id}).status_code
        == 403
    )
    assert ada.patch(f"/api/v1/devices/{own['id']}", json={"make": "X"}).status_code == 403
    assert ada.delete(f"/api/v1/devices/{own['id']}").status_code == 403
    assert team["billing"].get("/api/v1/devices").status_code == 403


@pytest.mark.promise("X3")
def test_reading_a_device_is_audited_under_its_owner(team, audit_rows):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    own = device(agent, type="workstation", person_id=ada_id, hostname="ada-laptop")
    before = len(audit_rows())
    assert ada.get(f"/api/v1/devices/{own['id']}").json()["hostname"] == "ada-laptop"
    entry = audit_rows()[before:][-1]
    assert (entry["action"], entry["person_id"], entry["purpose"], entry["actor_role"]) == (
        "read",
        ada_id,
        "essential.service",
        "customer",
    )
    assert "user.device.hostname" in json.loads(entry["categories"])
    acme = organisation(agent, "Acme")
    shared = device(agent, organisation_id=acme["id"], serial_number="ACME-1")
    before = len(audit_rows())
    agent.get(f"/api/v1/devices/{shared['id']}")
    entry = audit_rows()[before:][-1]
    assert (entry["action"], entry["purpose"], entry["actor_role"]) == (
        "read",
        "essential.service.support",
        "agent",
    )
    assert "serial_number" in json.loads(entry["columns"])


def test_telemetry_is_added_one_or_many_at_a_time_and_read_by_time_range_and_page(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    generator = device(agent, person_id=ada_id)
    url = f"/api/v1/devices/{generator['id']}/telemetry"

    one = agent.post(url, json={"kind": "runtime", "payload": {"hours": 1.5}, "recorded_at": at(0)})
    assert one.status_code == 201, one.text
    assert one.json()["items"][0]["payload"] == {"hours": 1.5}
    batch = agent.post(
        url,
        json={
            "readings": [
                {"kind": "runtime", "payload": {"hours": i}, "recorded_at": at(10 * i)}
                for i in range(1, 5)
            ]
            + [
                {
                    "kind": "diagnostic",
                    "payload": {"level": "warn", "code": "E17"},
                    "recorded_at": at(45),
                }
            ]
        },
    )
    assert batch.status_code == 201, batch.text
    assert len(batch.json()["items"]) == 5

    newest = agent.get(url, params={"limit": 2}).json()
    assert [r["recorded_at"] for r in newest["items"]] == [at(45), at(40)]
    assert newest["next_offset"] == 2
    window = agent.get(url, params={"since": at(10), "until": at(40), "kind": "runtime"}).json()
    assert [r["payload"]["hours"] for r in window["items"]] == [3, 2, 1]
    diagnostics = ada.get(url, params={"kind": "diagnostic"}).json()["items"]
    assert [r["payload"] for r in diagnostics] == [{"level": "warn", "code": "E17"}]
    assert ada.post(url, json={"kind": "runtime", "payload": {}}).status_code == 403
    naive = agent.get(url, params={"since": "2026-11-02T08:00:00"})
    assert naive.status_code == 422


def test_a_bad_telemetry_batch_keeps_nothing_and_says_why(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    generator = device(agent, organisation_id=acme["id"])
    url = f"/api/v1/devices/{generator['id']}/telemetry"
    good = {"kind": "runtime", "payload": {"hours": 1}}

    not_object = agent.post(url, json={"readings": [good, {"kind": "runtime", "payload": [1, 2]}]})
    assert not_object.status_code == 422
    too_big = agent.post(url, json={"kind": "runtime", "payload": {"log": "x" * 17_000}})
    assert too_big.status_code == 422
    assert "at most 16384 bytes" in too_big.json()["detail"]
    too_many = agent.post(url, json={"readings": [good] * 1001})
    assert too_many.status_code == 422
    unknown = agent.post(url, json={"kind": "weather", "payload": {}})
    assert unknown.status_code == 422
    assert agent.get(url).json()["items"] == []
    assert agent.post(url, json={"readings": [good] * 1000}).status_code == 201
    assert agent.get(url, params={"limit": 1000}).json()["next_offset"] is None


def test_print_job_metadata_is_refused_where_the_policy_holds_none(team):
    # The default policy (a generator company) declares no category for print-job metadata.
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    printer = device(agent, type="printer", organisation_id=acme["id"])
    url = f"/api/v1/devices/{printer['id']}/telemetry"
    refused = agent.post(url, json={"kind": "print_job", "payload": {"pages": 3}})
    assert refused.status_code == 403
    assert "print job records" in refused.json()["detail"]  # plain words, no policy keys
    assert agent.get(url).json()["items"] == []


def test_service_records_are_kept_by_agents_and_read_by_their_customers(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    eve, _ = team.customer("eve")
    acme = organisation(agent, "Acme")
    join(agent, acme["id"], ada_id, "contact")
    generator = device(agent, organisation_id=acme["id"])
    made = agent.post(
        "/api/v1/service-records",
        json={
            "device_id": generator["id"],
            "visited_on": "2026-11-03",
            "work_done": "Replaced the oil filter; load-tested for 30 minutes.",
            "next_due_on": "2027-05-03",
        },
    )
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["organisation_id"] == acme["id"]
    assert record["technician_id"] is not None
    visit = agent.post(
        "/api/v1/service-records",
        json={"organisation_id": acme["id"], "visited_on": "2026-10-01", "work_done": "Survey"},
    ).json()

    history = ada.get("/api/v1/service-records").json()
    assert [r["id"] for r in history["items"]] == [record["id"], visit["id"]]
    assert history["items"][0]["work_done"].startswith("Replaced the oil filter")
    assert ada.get(f"/api/v1/service-records/{record['id']}").status_code == 200
    assert eve.get(f"/api/v1/service-records/{record['id']}").status_code == 404
    assert eve.get("/api/v1/service-records").json()["items"] == []
    paged = agent.get("/api/v1/service-records", params={"limit": 1}).json()
    assert paged["next_offset"] == 1
    assert [
        r["id"]
        for r in agent.get("/api/v1/service-records", params={"device_id": generator["id"]}).json()[
            "items"
        ]
    ] == [record["id"]]

    changed = agent.patch(
        f"/api/v1/service-records/{record['id']}", json={"next_due_on": "2027-06-01"}
    ).json()
    assert changed["next_due_on"] == "2027-06-01"
    backwards = agent.patch(
        f"/api/v1/service-records/{record['id']}", json={"next_due_on": "2026-01-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "The next due date cannot come before the visit."
    assert ada.patch(f"/api/v1/service-records/{record['id']}", json={}).status_code == 403
    assert ada.delete(f"/api/v1/service-records/{record['id']}").status_code == 403
    assert agent.delete(f"/api/v1/service-records/{visit['id']}").status_code == 204
    assert agent.get(f"/api/v1/service-records/{visit['id']}").status_code == 404
    nowhere = agent.post("/api/v1/service-records", json={"visited_on": "2026-11-03"})
    assert nowhere.status_code == 422
    ticket = agent.post(
        "/api/v1/service-records",
        json={"organisation_id": acme["id"], "visited_on": "2026-11-03", "ticket_id": 999},
    )
    assert ticket.status_code == 422


@pytest.mark.promise("C5")
def test_maintenance_schedules_keep_the_owners_preferred_service_times(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    eve, _ = team.customer("eve")
    generator = device(agent, person_id=ada_id)
    made = agent.post(
        "/api/v1/maintenance-schedules",
        json={
            "device_id": generator["id"],
            "interval_days": 180,
            "next_due_on": "2027-01-15",
            "preferred_times": "Weekday mornings, 8-11am; never Sundays",
        },
    )
    assert made.status_code == 201, made.text
    schedule = made.json()
    default = agent.post(
        "/api/v1/maintenance-schedules", json={"device_id": generator["id"], "interval_days": 30}
    ).json()
    assert default["preferred_times"] is None

    mine = ada.get("/api/v1/maintenance-schedules").json()["items"]
    assert [s["id"] for s in mine][-1] == schedule["id"]
    assert mine[-1]["preferred_times"] == "Weekday mornings, 8-11am; never Sundays"
    assert eve.get(f"/api/v1/maintenance-schedules/{schedule['id']}").status_code == 404
    due = agent.get("/api/v1/maintenance-schedules", params={"due_by": "2027-01-31"}).json()
    assert schedule["id"] in [s["id"] for s in due["items"]]
    early = agent.get("/api/v1/maintenance-schedules", params={"due_by": "2026-01-01"}).json()
    assert early["items"] == []

    changed = agent.patch(
        f"/api/v1/maintenance-schedules/{schedule['id']}",
        json={"interval_days": 90, "preferred_times": "Afternoons"},
    ).json()
    assert (changed["interval_days"], changed["preferred_times"]) == (90, "Afternoons")
    zero = agent.patch(f"/api/v1/maintenance-schedules/{schedule['id']}", json={"interval_days": 0})
    assert zero.status_code == 422
    assert (
        ada.patch(
            f"/api/v1/maintenance-schedules/{schedule['id']}", json={"interval_days": 7}
        ).status_code
        == 403
    )
    assert agent.delete(f"/api/v1/maintenance-schedules/{default['id']}").status_code == 204
    assert agent.get(f"/api/v1/maintenance-schedules/{default['id']}").status_code == 404


def test_deleting_a_device_removes_its_telemetry_and_schedules_but_keeps_its_service_history(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    generator = device(agent, organisation_id=acme["id"], serial_number="GN-1")
    agent.post(
        f"/api/v1/devices/{generator['id']}/telemetry",
        json={"kind": "runtime", "payload": {"hours": 3}},
    )
    schedule = agent.post(
        "/api/v1/maintenance-schedules",
        json={"device_id": generator["id"], "interval_days": 90, "preferred_times": "Mornings"},
    ).json()
    record = agent.post(
        "/api/v1/service-records",
        json={"device_id": generator["id"], "visited_on": "2026-11-03", "work_done": "Oil"},
    ).json()

    assert agent.delete(f"/api/v1/devices/{generator['id']}").status_code == 204
    assert agent.get(f"/api/v1/maintenance-schedules/{schedule['id']}").status_code == 404
    assert agent.get(f"/api/v1/devices/{generator['id']}/telemetry").status_code == 404
    kept = agent.get(f"/api/v1/service-records/{record['id']}").json()
    assert (kept["device_id"], kept["organisation_id"], kept["work_done"]) == (
        None,
        acme["id"],
        "Oil",
    )
    # the organisation now holds a service record, so it stays
    assert agent.delete(f"/api/v1/organisations/{acme['id']}").status_code == 409
