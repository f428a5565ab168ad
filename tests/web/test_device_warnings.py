"""Devices as the customer and the desk read them: a type in words ("Printer", never
"printer"), and a clear warning when a device's service is overdue (its latest visit's next
due date has passed), in the portal and on the desk's device page."""

import re
from datetime import timedelta

import pytest

from steward.core import clock
from steward.desk.devices import TYPE_NAMES
from steward.desk.models import DEVICE_TYPES
from tests.desk.team import Team, join, organisation


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def device(agent, **fields) -> str:
    made = agent.post("/api/v1/devices", json=fields)
    assert made.status_code == 201, made.text
    return made.json()["id"]


def visit(agent, device_id: str, visited_days_ago: int, due_in_days: int) -> None:
    today = clock.today()
    made = agent.post(
        "/api/v1/service-records",
        json={
            "device_id": device_id,
            "visited_on": (today - timedelta(days=visited_days_ago)).isoformat(),
            "next_due_on": (today + timedelta(days=due_in_days)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text


def text_of(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page)


def test_every_device_type_has_a_name_in_words():
    assert set(TYPE_NAMES) == set(DEVICE_TYPES)
    assert all(name[0].isupper() and "_" not in name for name in TYPE_NAMES.values())


def test_an_overdue_service_is_flagged_in_the_portal_and_at_the_desk(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    acme = organisation(agent, "Acme")
    join(agent, acme["id"], ada_id, "contact")
    printer = device(agent, type="printer", make="Brother", organisation_id=acme["id"])
    router = device(agent, type="network_device", make="Cisco", organisation_id=acme["id"])
    visit(agent, printer, visited_days_ago=1200, due_in_days=-1000)
    visit(agent, printer, visited_days_ago=1100, due_in_days=-900)  # the latest visit counts
    visit(agent, router, visited_days_ago=30, due_in_days=150)
    overdue = clock.today() - timedelta(days=900)
    since = f"Service overdue since {overdue.strftime('%b')} {overdue.day}, {overdue.year}."

    portal = text_of(ada.get("/portal/devices").text)
    assert portal.count("Service overdue since") == 1
    assert since in portal  # the Houston business writes dates the US way
    assert "Printer: Brother" in portal and "Network device: Cisco" in portal
    assert not re.search(r"\b(printer|network device|network_device)\b", portal)

    desk = text_of(agent.get(f"/desk/devices/{printer}").text)
    assert since in desk
    assert "Service overdue" not in text_of(agent.get(f"/desk/devices/{router}").text)
