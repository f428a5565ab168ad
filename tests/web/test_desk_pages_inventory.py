"""Desk pages for organisations and their members, and devices with their readings, service
records and maintenance schedules, through plain HTML forms."""

import re

import pytest

from tests.web.test_desk_pages import agent, billing_clerk, form, shopper

__all__ = ["agent", "billing_clerk", "shopper"]  # fixtures shared with the queue's tests


def new_organisation(agent, name="Houston Clinic", domain="clinic.example.com") -> str:
    answer = form(agent, "/desk/organisations", {"name": name, "domain": domain})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0].rsplit("/", 1)[1]


def new_device(agent, organisation_id: str, **fields: str) -> str:
    data = {
        "organisation": organisation_id,
        "type": "generator",
        "make": "Generac",
        "model": "XG8000",
        "serial_number": "GN-0042",
        "hostname": "gen-01.clinic.example.com",
        **fields,
    }
    answer = form(agent, "/desk/devices/new", data)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0].rsplit("/", 1)[1]


def test_an_agent_adds_an_organisation_and_its_members(agent, shopper):
    organisation = new_organisation(agent)
    added = form(
        agent,
        f"/desk/organisations/{organisation}/members",
        {"kind": "end_user", "name": "Bob Reception", "email": "bob@clinic.example.com"},
    )
    assert added.status_code == 303
    known = form(
        agent,
        f"/desk/organisations/{organisation}/members",
        {"kind": "contact", "existing_email": "ada@example.com", "job_title": "Office manager"},
    )
    assert known.status_code == 303
    page = agent.get(f"/desk/organisations/{organisation}").text
    assert "Houston Clinic" in page
    assert "Bob Reception" in page and "Ada Lovelace" in page and "Office manager" in page
    assert "/desk/calls/new?person=" in page
    listed = agent.get("/desk/organisations", params={"q": "clinic"}).text
    assert f'href="/desk/organisations/{organisation}"' in listed


def test_a_member_without_details_is_refused_with_the_form_kept(agent):
    organisation = new_organisation(agent)
    answer = form(
        agent,
        f"/desk/organisations/{organisation}/members",
        {"kind": "contact", "job_title": "Head of IT"},
    )
    assert answer.status_code == 422
    assert 'value="Head of IT"' in answer.text
    assert "No members yet." in answer.text


def test_an_agent_adds_a_device_and_works_on_it(agent, admin):
    organisation = new_organisation(agent)
    device = new_device(agent, organisation)
    page = agent.get(f"/desk/devices/{device}").text
    assert "Generac" in page and "GN-0042" in page and "gen-01.clinic.example.com" in page

    readings = {"readings": [{"kind": "runtime", "payload": {"hours": 1234, "load_pct": 40}}]}
    assert admin.post(f"/api/v1/devices/{device}/telemetry", json=readings).status_code == 201
    page = agent.get(f"/desk/devices/{device}").text
    assert "hours: 1234" in page

    record = form(
        agent,
        f"/desk/devices/{device}/records",
        {
            "visited_on": "2026-03-02",
            "work_done": "Changed the oil filter.",
            "next_due_on": "2026-09-02",
        },
    )
    assert record.status_code == 303
    schedule = form(
        agent,
        f"/desk/devices/{device}/schedules",
        {"interval_days": "180", "preferred_times": "Weekday mornings"},
    )
    assert schedule.status_code == 303
    page = agent.get(f"/desk/devices/{device}").text
    assert "Changed the oil filter." in page and "by you" not in page
    assert "180 days" in page and "Weekday mornings" in page

    edited = form(
        agent,
        f"/desk/devices/{device}/edit",
        {
            "type": "generator",
            "make": "Generac",
            "model": "XG9000",
            "hostname": "gen-02.clinic.example.com",
        },
    )
    assert edited.status_code == 303
    page = agent.get(f"/desk/devices/{device}").text
    assert "XG9000" in page and "gen-02.clinic.example.com" in page

    listed = agent.get("/desk/devices", params={"q": "generac"}).text
    assert f'href="/desk/devices/{device}"' in listed


def test_a_bad_ip_address_is_refused_beside_the_device_form(agent):
    organisation = new_organisation(agent)
    data = {
        "organisation": organisation,
        "type": "printer",
        "make": "Brother",
        "ip_address": "1.2.3",
    }
    answer = form(agent, "/desk/devices/new", data)
    assert answer.status_code == 422
    assert 'value="Brother"' in answer.text
    assert "No devices match." in agent.get("/desk/devices").text


def test_a_service_record_needs_its_visit_date(agent):
    device = new_device(agent, new_organisation(agent))
    answer = form(agent, f"/desk/devices/{device}/records", {"work_done": "Cleaned it."})
    assert answer.status_code == 422
    assert "Check this field: Visited on (required)." in answer.text
    assert "Cleaned it." in answer.text


@pytest.mark.promise("X2")
def test_billing_staff_get_no_devices_or_organisations(billing_clerk):
    for path in ("/desk/devices", "/desk/devices/new", "/desk/organisations"):
        assert billing_clerk.get(path).status_code == 403, path


def test_a_missing_device_is_not_found(agent):
    answer = agent.get("/desk/devices/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404
    assert re.search(r"<h1>Not found</h1>", answer.text)
