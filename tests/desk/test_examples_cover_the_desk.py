"""Each example policy maps the desk's column categories its business holds (D1): staff can
work with them for the purpose the desk uses, customers can read theirs in the portal, and
what the business does not hold is refused by the gate. Asked of the gate itself (`decide`),
for every sealed column category the desk's tables declare."""

import pytest

import steward.models  # noqa: F401  (every table, so every column category)
from steward.access.gate import decide
from steward.core.actor import Actor
from steward.core.db import Base
from steward.policy.active import resolve
from steward.policy.loader import load_policy
from tests.conftest import EXAMPLES

DESK_CATEGORIES = sorted(
    {
        c.info["category"]
        for t in Base.metadata.tables.values()
        for c in t.c
        if c.info.get("encrypted")
    }
)
DEVICES = {
    "user.device.configuration",
    "user.device.hostname",
    "user.device.ip_address",
    "user.device.mac_address",
    "user.device.serial_number",
}
FINANCIAL = {c for c in DESK_CATEGORIES if c.startswith("user.financial.")}

# What each business does not hold, as its seed policy describes it.
NOT_HELD = {
    # generators: runtime logs, diagnostics and service records, but no printers
    "houston-generator": {"system.print_job_metadata"},
    # IT support by phone, remote session and on site: no device inventory, telemetry,
    # service records or maintenance schedules
    "it-support-shop": DEVICES
    | {
        "system.logs",
        "system.print_job_metadata",
        "system.runtime_log",
        "system.service_record",
        "user.preferences.service_times",
    },
    # managed print: printers and their jobs, no generators; no job titles or service times;
    # calls are logged with notes, never recorded (the seed says nothing of recording)
    "printo-gens": {
        "system.runtime_log",
        "user.communications.call_recording",
        "user.job_title",
        "user.preferences.service_times",
    },
    # a ticketing, chat and phone desk: no devices, telemetry, service records or payments
    "emergencysupport": DEVICES
    | FINANCIAL
    | {
        "system.logs",
        "system.print_job_metadata",
        "system.runtime_log",
        "system.service_record",
        "user.device.remote_session",
        "user.job_title",
        "user.preferences.service_times",
    },
    # managed IT: devices, logs, service records; no generators or printers' job logs; calls
    # are logged with notes, never recorded (the seed says nothing of recording)
    "compustores": {
        "system.print_job_metadata",
        "system.runtime_log",
        "user.communications.call_recording",
    },
}

# Who works with each category, for which purpose (everything else: agents, for support).
WORKERS = {
    "user.communications.call_recording": ("call_reviewer", "essential.service.quality"),
    "user.authorization.credentials": ("customer", "essential.service"),
    "user.demographic.date_of_birth": ("customer", "essential.service"),
    **dict.fromkeys(FINANCIAL, ("billing", "essential.service.billing")),
}
# What customers read of their own in the portal, where the business holds it.
PORTAL = (
    DEVICES
    | FINANCIAL
    | {
        "user.name",
        "user.contact.email",
        "user.communications",
        "system.logs",
        "system.print_job_metadata",
        "system.runtime_log",
        "system.service_record",
        "user.preferences.service_times",
    }
)


def refused(policy, role: str, purpose: str, category: str) -> str | None:
    return decide(policy, Actor(role=role, account_id="a"), purpose, None, [category])


def test_every_example_is_listed():
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(NOT_HELD)


@pytest.mark.promise("D1")
@pytest.mark.parametrize("name", sorted(NOT_HELD))
def test_an_example_maps_every_desk_category_its_business_holds(name):
    policy = load_policy(EXAMPLES / f"{name}.yaml")
    held = {
        category
        for category in DESK_CATEGORIES
        if refused(policy, *WORKERS.get(category, ("agent", "essential.service.support")), category)
        is None
    }
    assert set(DESK_CATEGORIES) - held == NOT_HELD[name]
    for category in sorted(held & PORTAL):
        assert refused(policy, "customer", "essential.service", category) is None, category
    for category in sorted(held - set(WORKERS)):
        assert refused(policy, "admin", "essential.service.support", category) is None


@pytest.mark.promise("D6")
@pytest.mark.parametrize("name", sorted(NOT_HELD))
def test_call_recordings_are_reached_only_by_the_staff_who_review_calls(name):
    policy = load_policy(EXAMPLES / f"{name}.yaml")
    key = resolve(policy, "user.communications.call_recording")
    if "user.communications.call_recording" in NOT_HELD[name]:  # nobody may listen to one
        for role in ("call_reviewer", "privacy_officer", "agent", "admin"):
            assert refused(policy, role, "essential.service.quality", key) is not None, role
        return
    assert key == "user.communications.call_recording"
    roles = {role for p in policy.categories[key].purposes for role in policy.purposes[p].roles}
    assert roles == {"call_reviewer", "privacy_officer"}
