"""The business transfer through the admin's page and the JSON API (S4): `policy check`
refuses a transfer that cannot be kept; /desk/transfer announces only after a confirmation
and lists the people told; POST /api/v1/admin/transfers/run writes the archive on the date
into the backup directory, which the new owner's key opens, after the worker reminded the
admin that the date had come; nobody but an admin gets in."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from steward.core import clock
from steward.transfer.archive import new_key_pair
from tests.people import customer
from tests.rights.intake_kit import body_of, steward
from tests.transfer.conftest import NEW_OWNER, OWNER_EMAIL, Owner, with_transfer

ANNOUNCED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
BEFORE_SIX = datetime(2027, 2, 2, 5, 50, 10, tzinfo=UTC)  # the day after the date
CURRENT = object()  # stands for the current controller's legal name


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.mark.promise("S4")
@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("date: 2027-02-01", "date: 2026-11-15", "must come after the effective date"),
        ("legal_name: Northwind Services Ltd", CURRENT, "The new controller is the current one"),
        (
            "rights_before: [objection, erasure]",
            "rights_before: [erasure]",
            "objection is not among rights_before",
        ),
    ],
)
def test_policy_check_refuses_a_transfer_it_cannot_keep(
    identity_settings, tmp_path, old, new, says
):
    text = with_transfer(identity_settings.policy.read_text())
    if new is CURRENT:
        new = f"legal_name: {yaml.safe_load(text)['controller']['legal_name']}"
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new, 1))

    result = steward(identity_settings, "policy", "check", str(broken))

    assert result.exit_code == 1
    assert says in result.output


@pytest.mark.promise("S4")
def test_the_admin_announces_on_the_page_and_runs_through_the_api_on_the_date(
    app, mailbox, new_client, identity_settings, tmp_path
):
    private, public = new_key_pair()
    with clock.frozen_at(ANNOUNCED):
        owner = Owner(app, new_client)
        shopper = new_client()
        customer(shopper, mailbox, "ada@example.com")
        assert shopper.post("/privacy/accept", data={"next": "/portal"}).status_code in (200, 303)
        page = owner.browser.get("/desk/transfer")
        assert page.status_code == 200 and NEW_OWNER in page.text
        assert "No transfer announced" in page.text

        unconfirmed = owner.browser.post(
            "/desk/transfer/announce", data={"csrf_token": _csrf(page.text)}
        )
        assert unconfirmed.status_code == 422
        assert "Tick the box to confirm" in unconfirmed.text
        assert not mailbox.to("ada@example.com")[1:]  # only the address check so far

        done = owner.browser.post(
            "/desk/transfer/announce",
            data={"csrf_token": _csrf(page.text), "confirm": "yes"},
            follow_redirects=True,
        )
        assert done.status_code == 200
        assert "every account holder was mailed" in done.text
        assert "Announced" in done.text and 'id="told"' in done.text
        assert mailbox.last_to("ada@example.com")["Subject"].startswith("Our business passes")
        early = owner.browser.post(
            "/api/v1/admin/transfers/run", json={"public_key": public.decode()}
        )
        assert early.status_code == 409
        assert "The transfer date is 2027-02-01" in early.json()["detail"]
        refused = shopper.get("/api/v1/admin/transfers")
        assert refused.status_code == 403
        sent_away = shopper.get("/desk/transfer", follow_redirects=False)
        assert sent_away.status_code == 303 and sent_away.headers["location"] == "/portal"

    with clock.frozen_at(BEFORE_SIX):
        assert steward(identity_settings, "worker", "--once").exit_code == 0  # the slots
        assert not any("is due" in m["Subject"] for m in mailbox.to(OWNER_EMAIL))
        clock.advance(timedelta(minutes=10))
        looked = steward(identity_settings, "worker", "--once")
        assert looked.exit_code == 0 and "0 failed" in looked.output, looked.output
        reminder = mailbox.last_to(OWNER_EMAIL)
        assert reminder["Subject"] == f"The transfer to {NEW_OWNER} is due"
        assert "/desk/transfer" in body_of(reminder)
        assert not any("is due" in m["Subject"] for m in mailbox.to("ada@example.com"))

        browser = owner.again()
        bad_key = browser.post("/api/v1/admin/transfers/run", json={"public_key": "not a key"})
        assert bad_key.status_code == 422
        assert "not a PEM public key" in bad_key.json()["detail"]
        ran = browser.post("/api/v1/admin/transfers/run", json={"public_key": public.decode()})
        assert ran.status_code == 200, ran.text
        result = ran.json()
        assert result["status"] == "done" and result["people_objected"] == 0
        archive = identity_settings.backup_dir / result["archive_name"]
        key = tmp_path / "northwind.key"
        key.write_bytes(private)
        opened = steward(identity_settings, "transfer", "verify", str(archive), "--key", str(key))
        assert opened.exit_code == 0, opened.output
        assert "good; for Northwind Services Ltd" in opened.output
        page = browser.get("/desk/transfer").text
        assert result["archive_sha256"] in page
