"""The business transfer (S4), the whole path under three example policies (GDPR, UK GDPR,
CCPA alone), on both databases: a policy version naming the new owner is published; the admin
announces it and every account holder is mailed (real SMTP) and sees it in their privacy
center; one person objects and one asks for erasure, each the way the policy takes that
request; on the date the admin runs it and `steward transfer verify` opens the archive with
the new owner's private key and finds the right people, and not those two; a wrong key or a
damaged archive fails cleanly."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from steward.core import clock
from steward.transfer.archive import new_key_pair
from tests.people import customer
from tests.rights.channels_kit import PNG, Asker
from tests.rights.intake_kit import body_of, steward
from tests.transfer.conftest import NEW_OWNER, OWNER_EMAIL, TRANSFER, Owner

ANNOUNCED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ON_THE_DATE = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
KIND = {"objection": ("objection", "ccpa_opt_out"), "erasure": ("erasure", "ccpa_delete")}


def person_of(officer, asker: Asker, reference: str) -> str:
    return officer.get(f"/api/v1/dpo/requests/{asker.id_of(reference)}").json()["person_id"]


def ask(asker: Asker, right: str, browser, address: str) -> str:
    """Use `right` as the policy takes it (its first channel); returns the reference."""
    rights = asker.policy.rights
    kind = next(k for k in KIND[right] if k in rights and rights[k].offered)
    channel = rights[kind].channels[0]
    if channel == "email":
        return asker._by_mail(kind, address)
    if channel in ("phone", "post", "in_person"):
        return asker._logged(kind, channel, address)
    return asker._online(kind, channel, browser, address)


def transfer_command(settings, *args: str):
    return steward(settings, "transfer", *args)


@pytest.mark.promise("S4")
def test_a_transfer_tells_everyone_then_hands_the_new_owner_an_archive_without_those_who_left(
    app, published, officer, mailbox, new_client, identity_settings, audit_rows, tmp_path
):
    assert "published version 1.1 (was 1.0)" in published
    assert f"transfer: the business passes to {NEW_OWNER} on 2027-02-01" in published
    with clock.frozen_at(ANNOUNCED):
        owner = Owner(app, new_client)
        officer.again()
        people = {}
        for name in ("stays", "objects", "erases"):
            browser = new_client()
            customer(browser, mailbox, f"{name}@example.com")
            people[name] = browser
        stays = _person_id(people["stays"])
        for name in ("stays", "objects"):  # each with a file: the objector's stays behind
            opened = people[name].post(
                "/api/v1/tickets",
                data={"subject": "Generator", "body": "It hums; a photo attached."},
                files={"attachments": ("photo.png", PNG, "image/png")},
            )
            assert opened.status_code == 201, opened.text

        told = owner.browser.post("/api/v1/admin/transfers/announce")

        assert told.status_code == 201, told.text
        announced = told.json()
        assert announced["status"] == "announced" and announced["new_controller"] == NEW_OWNER
        assert announced["told"] >= 5 and announced["told_failed"] == 0  # staff are told too
        for name in people:
            mail = mailbox.last_to(f"{name}@example.com")
            assert mail["Subject"] == f"Our business passes to {NEW_OWNER} on 2027-02-01"
            text = body_of(mail)
            assert "On 2027-02-01 our business passes to Northwind Services Ltd" in text
            assert "To object to the transfer:" in text
            assert "To have your data erased:" in text
            assert "your data does not pass to the new owner" in text
        center = people["stays"].get("/privacy/center").text
        assert f"Our business passes to {NEW_OWNER}" in center
        assert "We told you by mail on" in center
        policy_page = people["stays"].get("/privacy").text
        assert "A coming change of owner" in policy_page and NEW_OWNER in policy_page
        again = owner.browser.post("/api/v1/admin/transfers/announce")
        assert again.status_code == 409

        clock.advance(timedelta(days=1))
        officer.again()
        asker = Asker(app.state.runtime.policy, officer, mailbox, new_client, identity_settings)
        objected = ask(asker, "objection", people["objects"], "objects@example.com")
        erasing = ask(asker, "erasure", people["erases"], "erases@example.com")
        objector, eraser = person_of(officer, asker, objected), person_of(officer, asker, erasing)

        status = transfer_command(identity_settings, "status", "--by", OWNER_EMAIL)
        assert status.exit_code == 0, status.output
        assert "told: " in status.output and "objected: 1; erased or erasing: 1" in status.output
        page = owner.again().get("/desk/transfer").text
        assert objected in page and objector in page  # the objection, listed for the admin
        assert erasing not in page
        early = transfer_command(
            identity_settings, "run", "--by", OWNER_EMAIL, "--public-key", str(tmp_path / "x")
        )
        assert early.exit_code == 1

    with clock.frozen_at(ON_THE_DATE):
        made = transfer_command(identity_settings, "keygen", str(tmp_path / "northwind"))
        assert made.exit_code == 0, made.output
        archive = tmp_path / "northwind.archive"
        ran = transfer_command(
            identity_settings,
            "run",
            "--by",
            OWNER_EMAIL,
            "--public-key",
            str(tmp_path / "northwind.pub"),
            "--out",
            str(archive),
        )
        assert ran.exit_code == 0, ran.output
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        assert f"archive northwind.archive sha256 {digest}" in ran.output
        assert "left out 1 erased, 1 objecting" in ran.output
        assert archive.stat().st_mode & 0o777 == 0o600

        opened = transfer_command(
            identity_settings,
            "verify",
            str(archive),
            "--key",
            str(tmp_path / "northwind.key"),
            "--people",
        )
        assert opened.exit_code == 0, opened.output
        assert f"good; for {NEW_OWNER}" in opened.output
        assert " 1 file; opened " in opened.output  # the one who stays; not the objector's
        assert re.search(r"opened \d+ sealed values and 1 file$", opened.output.splitlines()[0])
        inside = set(opened.output.split()[1:])
        assert stays in inside
        assert objector not in inside and eraser not in inside
        assert b"stays@example.com" not in archive.read_bytes()  # encrypted, every byte

        transfer_command(identity_settings, "keygen", str(tmp_path / "stranger"))
        wrong = transfer_command(
            identity_settings, "verify", str(archive), "--key", str(tmp_path / "stranger.key")
        )
        assert wrong.exit_code == 1
        assert "this archive is for another key" in wrong.output
        damaged = tmp_path / "damaged.archive"
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0x01
        damaged.write_bytes(bytes(data))
        broken = transfer_command(
            identity_settings, "verify", str(damaged), "--key", str(tmp_path / "northwind.key")
        )
        assert broken.exit_code == 1 and "altered or is damaged" in broken.output

        seen = owner.again().get("/api/v1/admin/transfers").json()
        assert seen["transfer"]["status"] == "done"
        assert seen["transfer"]["archive_sha256"] == digest
        assert seen["transfer"]["people_objected"] == 1
        assert seen["transfer"]["files"] == 1
        assert seen["transfer"]["people_included"] >= 1
        twice = transfer_command(
            identity_settings,
            "run",
            "--by",
            OWNER_EMAIL,
            "--public-key",
            str(tmp_path / "northwind.pub"),
        )
        assert twice.exit_code == 1 and "was run already" in twice.output
    actions = [row["action"] for row in audit_rows()]
    assert "transfer_announced" in actions and "transfer_run" in actions


def _person_id(browser) -> str:
    return browser.get("/api/v1/me").json()["person_id"]


@pytest.mark.promise("S4")
@pytest.mark.parametrize(
    "transfer_section",
    [TRANSFER.replace("leave_out_objectors: true", "leave_out_objectors: false")],
    indirect=True,
)
def test_where_the_policy_keeps_objectors_in_their_data_passes_all_the_same(
    app, officer, mailbox, new_client, identity_settings, tmp_path
):
    private, public = new_key_pair()
    with clock.frozen_at(ANNOUNCED):
        owner = Owner(app, new_client)
        objects = new_client()
        customer(objects, mailbox, "objects@example.com")
        assert owner.browser.post("/api/v1/admin/transfers/announce").status_code == 201
        assert "your data does not pass" not in body_of(mailbox.last_to("objects@example.com"))
        clock.advance(timedelta(days=1))
        officer.again()
        asker = Asker(app.state.runtime.policy, officer, mailbox, new_client, identity_settings)
        objector = person_of(
            officer, asker, ask(asker, "objection", objects, "objects@example.com")
        )

    with clock.frozen_at(ON_THE_DATE):
        ran = owner.again().post(
            "/api/v1/admin/transfers/run", json={"public_key": public.decode()}
        )
        assert ran.status_code == 200, ran.text
        assert ran.json()["people_objected"] == 0
        key = tmp_path / "northwind.key"
        key.write_bytes(private)
        archive = identity_settings.backup_dir / ran.json()["archive_name"]
        opened = transfer_command(
            identity_settings, "verify", str(archive), "--key", str(key), "--people"
        )
        assert opened.exit_code == 0, opened.output
        assert objector in opened.output.split()
