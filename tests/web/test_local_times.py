"""Times as people read them: in the business's time zone and locale by default, in their
organisation's zone when it has one, never in UTC."""

from datetime import UTC, datetime

import pytest

from steward.core import clock
from tests.conftest import EXAMPLES
from tests.people import customer
from tests.rights.channels_kit import use_example

SUMMER_EVENING = datetime(2026, 7, 1, 18, 30, tzinfo=UTC)


@pytest.fixture(
    params=[
        ("houston-generator", "Jul 1, 2026, 1:30 PM"),  # America/Chicago, en_US
        ("it-support-shop", "1 Jul 2026, 19:30"),  # Europe/London, en_GB
    ],
    ids=lambda p: p[0],
)
def business(request, data_dir):
    """The example in place of the default policy, and how it writes SUMMER_EVENING."""
    name, written = request.param
    use_example(data_dir, EXAMPLES / f"{name}.yaml")
    return written


def test_the_desk_shows_a_tickets_times_in_the_business_zone_and_locale(
    business, admin, mailbox, new_client
):
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    with clock.frozen_at(SUMMER_EVENING):
        opened = shopper.post("/api/v1/tickets", json={"subject": "Printer", "body": "Jams."})
    assert opened.status_code == 201, opened.text

    page = admin.get(f"/desk/tickets/{opened.json()['id']}").text

    assert business in page
    assert "UTC" not in page
    assert 'datetime="2026-07-01T18:30:00+00:00"' in page  # the exact instant stays readable


def test_a_customer_reads_times_in_their_organisations_time_zone(admin, mailbox, new_client):
    shopper = new_client()
    customer(shopper, mailbox, "ada@example.com")
    person_id = shopper.get("/api/v1/me").json()["person_id"]
    organisation = admin.post("/api/v1/organisations", json={"name": "Acme"}).json()
    joined = admin.post(
        f"/api/v1/organisations/{organisation['id']}/members",
        json={"kind": "contact", "person_id": person_id},
    )
    assert joined.status_code == 201, joined.text
    changed = admin.patch(
        f"/api/v1/organisations/{organisation['id']}", json={"time_zone": "Asia/Tokyo"}
    )
    assert changed.status_code == 200 and changed.json()["time_zone"] == "Asia/Tokyo"
    with clock.frozen_at(SUMMER_EVENING):
        number = shopper.post("/api/v1/tickets", json={"subject": "VPN", "body": "Down."})
    number = number.json()["id"]

    assert "Jul 2, 2026, 3:30 AM" in shopper.get(f"/portal/tickets/{number}").text
    # Staff still read the business's zone (America/Chicago).
    assert "Jul 1, 2026, 1:30 PM" in admin.get(f"/desk/tickets/{number}").text


def test_an_unknown_time_zone_is_refused_and_changes_nothing(admin):
    organisation = admin.post("/api/v1/organisations", json={"name": "Acme"}).json()

    refused = admin.patch(
        f"/api/v1/organisations/{organisation['id']}",
        json={"time_zone": "Mars/Olympus_Mons", "name": "Acme Ltd"},
    )

    assert refused.status_code == 422
    assert "time zone" in refused.json()["detail"]
    kept = admin.get(f"/api/v1/organisations/{organisation['id']}").json()
    assert kept["name"] == "Acme" and kept["time_zone"] is None
