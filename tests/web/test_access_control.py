"""Every endpoint, and who may call it. A new endpoint fails here until it is given a row."""

import re

import pytest

from tests.people import customer, enrol_mfa, staff
from tests.who import (
    PUBLIC,
    alerts,
    billing,
    calls,
    consent,
    data_use,
    devices,
    identity,
    incident_containment,
    incident_impact,
    incident_notices,
    incidents,
    organisations,
    preferences,
    retention,
    rights,
    rights_work,
    tickets,
    transfer,
)

# (method, path) -> who may call it: anyone, anyone signed in, or the listed roles only.
WHO = {
    **identity.WHO,
    **tickets.WHO,
    **organisations.WHO,
    **devices.WHO,
    **calls.WHO,
    **billing.WHO,
    **preferences.WHO,
    **consent.WHO,
    **rights.WHO,
    **rights_work.WHO,
    **data_use.WHO,
    **retention.WHO,
    **incident_containment.WHO,
    **incident_impact.WHO,
    **incident_notices.WHO,
    **incidents.WHO,
    **transfer.WHO,
    **alerts.WHO,
}
NOT_ALLOWED = {401, 403}


def operations(client):
    paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def call(client, method, path):
    """Call with placeholder ids: numbers for ticket numbers, a nil UUID for the others."""
    url = re.sub(r"\{ticket_id\}", "1", path)
    url = re.sub(r"\{[a-z_]+\}", "00000000-0000-0000-0000-000000000000", url)
    return client.request(method, url, json={})


def test_every_endpoint_has_a_rule(client):
    assert operations(client) == set(WHO)


@pytest.mark.promise("X2")
def test_anonymous_callers_reach_only_the_public_endpoints(client):
    for (method, path), who in WHO.items():
        status = call(client, method, path).status_code
        if who == PUBLIC:
            assert status not in NOT_ALLOWED, (method, path, status)
        else:
            assert status == 401, (method, path, status)


@pytest.mark.promise("X2")
def test_each_role_reaches_only_its_endpoints(admin, mailbox, new_client):
    browsers = {"admin": admin}
    for role in ("agent", "billing", "call_reviewer", "privacy_officer"):
        browser = new_client()
        staff(admin, mailbox, browser, f"{role}@example.com", role)
        enrol_mfa(browser)
        browsers[role] = browser
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    browsers["customer"] = shopper
    for (method, path), who in WHO.items():
        if not isinstance(who, set) or method != "GET":
            continue  # unsafe calls are exercised by their own tests; reads here
        for role, browser in browsers.items():
            status = call(browser, method, path).status_code
            if role in who:
                assert status not in NOT_ALLOWED, (role, method, path, status)
            else:
                assert status == 403, (role, method, path, status)


def test_unsafe_role_restricted_calls_are_refused_to_other_roles(admin, mailbox, new_client):
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    for (method, path), who in WHO.items():
        if isinstance(who, set) and method != "GET":
            assert call(shopper, method, path).status_code == 403, (method, path)
