"""R1 access and R10 know: a zip with everything about the person (owned and linked rows,
staff notes included), a CSV per category, who used the data and a report in plain words;
R5 portability: only what the person gave, as JSON, downloadable or pushed signed over HTTPS."""

import base64
import io
import json
import os
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from steward.core import clock
from steward.rights.models import RequestFile
from tests.desk.team import join, organisation
from tests.rights.test_recipients import webhook  # noqa: F401  (the HTTPS receiver)
from tests.rights.work import fulfil, verified_request


def _fulfil(officer, request_id: str) -> str:
    answer = fulfil(officer, request_id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "done"
    return answer.json()["token"]


def _token_in_mail(mailbox, address: str) -> str:
    body = mailbox.last_to(address).get_payload(decode=True).decode()
    return next(w for w in body.split() if len(w) > 40 and "/" not in w)


@pytest.mark.promise("R1")
@pytest.mark.parametrize("kind", ["access", "ccpa_know"])
def test_an_access_export_holds_everything_with_purposes_and_recipients(
    team, app, mailbox, client, kind
):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, reference = verified_request(app, kind, ada_id, "ada@example.com")

    _fulfil(officer, request_id)
    token = _token_in_mail(mailbox, "ada@example.com")
    answer = client.post("/api/v1/rights/download", json={"token": token})

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = archive.namelist()
    assert {"export.json", "report.html", "categories/user.account.csv"} <= set(names)
    document = json.loads(archive.read("export.json"))
    assert document["format"] == "steward.export/1"
    assert document["reference"] == reference
    contact = document["categories"]["user.account"]
    assert "ada@example.com" in [v["value"] for v in contact["values"]]
    assert contact["about"]["purposes"] and contact["about"]["retention"]["kept"]
    assert [r["reference"] for r in document["requests"]] == [reference]
    report = archive.read("report.html").decode()
    assert "Who else receives it" in report and "Ada Lovelace" in report


@pytest.mark.promise("R1")
def test_the_report_says_how_long_data_is_kept_in_plain_words(team, app, mailbox, client):
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    _fulfil(team["privacy_officer"], request_id)
    token = _token_in_mail(mailbox, "ada@example.com")
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )

    report = archive.read("report.html").decode()
    assert "after your account is closed" in report
    for raw in ("P7Y", "P1Y", "P3M", "account_closure", "last_activity", "contract_end"):
        assert raw not in report, raw
        assert raw not in archive.read("export.json").decode(), raw


@pytest.mark.promise("R5")
def test_portability_gives_what_the_person_provided_as_json(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(app, "portability", ada_id, "ada@example.com")

    token = _fulfil(officer, request_id)
    answer = client.post("/api/v1/rights/download", json={"token": token})

    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert document["format"] == "steward.portable/1"
    people = document["records"]["people"]
    assert people[0]["email"] == "ada@example.com"
    assert "rights_requests" not in document["records"]


@pytest.mark.promise("R5")
def test_portability_holds_the_persons_own_words_and_never_staff_notes_or_call_notes(
    team, app, client, mailbox
):
    ada, ada_id = team.customer("ada")
    agent = team["agent"]
    ticket = ada.post(
        "/api/v1/tickets", json={"subject": "Printer jams", "body": "It jams on page two."}
    ).json()
    url = f"/api/v1/tickets/{ticket['id']}/messages"
    assert agent.post(url, json={"body": "Try the rear tray."}).status_code == 201
    note = agent.post(url, json={"body": "Customer sounds annoyed.", "visibility": "internal"})
    assert note.status_code == 201, note.text
    assert ada.post(url, json={"body": "Rear tray works."}).status_code == 201
    upload = ada.post(
        url,
        data={"body": "The jam, photographed."},
        files={"attachments": ("jam.pdf", b"%PDF-1.7 jam", "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    staff_file = agent.post(
        url,
        data={"body": "Manual attached."},
        files={"attachments": ("manual.pdf", b"%PDF-1.7 manual", "application/pdf")},
    )
    assert staff_file.status_code == 201, staff_file.text
    call = agent.post(
        "/api/v1/calls",
        json={
            "person_id": ada_id,
            "number": "+44 20 7946 0000",
            "direction": "inbound",
            "duration_seconds": 60,
            "recording_notice_played": False,
            "notes": "Promised a call back.",
        },
    )
    assert call.status_code == 201, call.text
    assert ada.put("/api/v1/me/preferences", json={"marketing": True}).status_code == 200
    request_id, _ = verified_request(app, "portability", ada_id, "ada@example.com")

    document = client.post(
        "/api/v1/rights/download", json={"token": _fulfil(team["privacy_officer"], request_id)}
    ).json()
    text = json.dumps(document)

    bodies = [m["body"] for m in document["records"]["messages"]]
    assert sorted(bodies) == ["It jams on page two.", "Rear tray works.", "The jam, photographed."]
    (upload,) = document["records"]["attachments"]
    assert upload["filename"] == "jam.pdf"
    assert base64.b64decode(upload["content_base64"]) == b"%PDF-1.7 jam"
    assert document["records"]["tickets"][0]["subject"] == "Printer jams"
    assert "notification_preferences" in document["records"]
    assert [c["purpose"] for c in document["consents"]] == ["marketing.communications"]
    for staff_words in (
        "Try the rear tray.",
        "Customer sounds annoyed.",
        "Promised a call back.",
        "Manual attached.",
        "manual.pdf",
    ):
        assert staff_words not in text

    access_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    _fulfil(team["privacy_officer"], access_id)
    token = _token_in_mail(mailbox, "ada@example.com")
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )
    found = _values(archive)
    for staff_words in ("Try the rear tray.", "Customer sounds annoyed.", "Promised a call back."):
        assert any(value == staff_words for _, value in found), staff_words  # Art. 15: all


def test_a_download_expires(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    token = _fulfil(officer, request_id)
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        answer = client.post("/api/v1/rights/download", json={"token": token})
    assert answer.status_code == 410
    assert client.post("/api/v1/rights/download", json={"token": "x" * 43}).status_code == 404


@pytest.mark.promise("R5")
def test_portability_is_pushed_signed_to_another_provider(team, app, client, webhook):  # noqa: F811
    app.state.settings = app.state.settings.model_copy(
        update={"allow_private_push": True, "outbound_ca_file": webhook.ca_file}
    )
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, reference = verified_request(app, "portability", ada_id, "ada@example.com")
    token = _fulfil(officer, request_id)

    answer = client.post(
        f"/api/v1/rights/{reference}/push", json={"url": webhook.url, "token": token}
    )

    assert answer.status_code == 200, answer.text
    headers, body = webhook.received[-1]
    assert json.loads(body)["records"]["people"][0]["email"] == "ada@example.com"
    key = load_pem_public_key(client.get("/api/v1/rights/signing-key").text.encode())
    key.verify(base64.b64decode(headers["Steward-Signature"]), body)  # raises if forged


def test_a_push_goes_only_to_public_https_addresses(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, reference = verified_request(app, "portability", ada_id, "ada@example.com")
    token = _fulfil(officer, request_id)
    for url in ("http://example.com/import", "https://127.0.0.1/import", "https://10.1.2.3/x"):
        answer = client.post(f"/api/v1/rights/{reference}/push", json={"url": url, "token": token})
        assert answer.status_code == 422, url


def _export(team, app, mailbox, client, name: str, person_id: str) -> zipfile.ZipFile:
    request_id, _ = verified_request(app, "access", person_id, f"{name}@example.com")
    _fulfil(team["privacy_officer"], request_id)
    token = _token_in_mail(mailbox, f"{name}@example.com")
    answer = client.post("/api/v1/rights/download", json={"token": token})
    assert answer.status_code == 200, answer.text
    return zipfile.ZipFile(io.BytesIO(answer.content))


def _values(archive: zipfile.ZipFile) -> dict[tuple[str, str], dict]:
    document = json.loads(archive.read("export.json"))
    return {
        (v["table"], str(v["value"])): v
        for category in document["categories"].values()
        for v in category["values"]
    }


@pytest.mark.promise("R1")
def test_an_access_export_holds_what_the_person_wrote_on_someone_elses_ticket(
    team, app, mailbox, client
):
    ada, _ = team.customer("ada")
    ticket = ada.post("/api/v1/tickets", json={"subject": "Fan noise", "body": "Loud."}).json()
    agent = team["agent"]
    reply = agent.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "On my way."})
    assert reply.status_code == 201, reply.text

    archive = _export(team, app, mailbox, client, "agent", team.people["agent"])
    found = _values(archive)

    assert found[("messages", "On my way.")]["as"] == "written by you"
    assert ("messages", "Loud.") not in found  # Ada's own words stay Ada's
    assert ("tickets", "Fan noise") not in found


@pytest.mark.promise("R1")
def test_an_access_export_holds_the_organisations_device_assigned_to_the_person(
    team, app, mailbox, client
):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    _, bob_id = team.customer("bob")
    acme = organisation(agent, "Acme")
    join(agent, acme["id"], ada_id, "end_user")
    join(agent, acme["id"], bob_id, "end_user")
    answer = agent.post(
        "/api/v1/devices",
        json={
            "type": "workstation",
            "organisation_id": acme["id"],
            "serial_number": "ACME-ADA-7",
            "hostname": "ada-desk",
            "assigned_to_id": ada_id,
        },
    )
    assert answer.status_code == 201, answer.text
    desk = answer.json()
    other = agent.post(
        "/api/v1/devices",
        json={
            "type": "workstation",
            "organisation_id": acme["id"],
            "serial_number": "ACME-BOB-8",
            "assigned_to_id": bob_id,
        },
    ).json()
    reading = agent.post(
        f"/api/v1/devices/{desk['id']}/telemetry",
        json={"kind": "diagnostic", "payload": {"code": "E17"}},
    )
    assert reading.status_code == 201, reading.text
    agent.post(
        f"/api/v1/devices/{other['id']}/telemetry",
        json={"kind": "diagnostic", "payload": {"code": "B99"}},
    )
    visit = agent.post(
        "/api/v1/service-records",
        json={"device_id": desk["id"], "visited_on": "2026-11-03", "work_done": "New fan fitted."},
    )
    assert visit.status_code == 201, visit.text
    assert desk["id"] in [d["id"] for d in ada.get("/api/v1/devices").json()["items"]]

    archive = _export(team, app, mailbox, client, "ada", ada_id)
    found = _values(archive)
    exported = json.dumps(json.loads(archive.read("export.json")))

    assert found[("devices", "ACME-ADA-7")]["as"] == "assigned to you"
    assert ("devices", "ada-desk") in found
    assert "E17" in exported
    assert found[("service_records", "New fan fitted.")]["as"] == "from a device you use"
    assert "ACME-BOB-8" not in exported and "B99" not in exported  # Bob's desk is Bob's


@pytest.mark.promise("R1", "C2")
def test_an_access_export_holds_the_persons_whole_consent_record(team, app, mailbox, client):
    officer = team["privacy_officer"]
    ada, ada_id = team.customer("ada")
    for marketing in (True, False):
        assert ada.put("/api/v1/me/preferences", json={"marketing": marketing}).status_code == 200
    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")

    _fulfil(officer, request_id)
    token = _token_in_mail(mailbox, "ada@example.com")
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )

    consents = json.loads(archive.read("export.json"))["consents"]
    assert [(c["purpose"], c["choice"], c["method"]) for c in consents] == [
        ("marketing.communications", "given", "form"),
        ("marketing.communications", "withdrawn", "form"),
    ]
    assert all(c["policy_version"] == "1.0" and len(c["text_sha256"]) == 64 for c in consents)
    receipt = ada.get(consents[0]["receipt"])
    assert receipt.status_code == 200, receipt.text
    assert "Consent record" in archive.read("report.html").decode()


LETTERS = str.maketrans("0123456789", "ghijklmnop")  # no digits: nothing reads as a card number


def _tickets(app, person_id: str, count: int, size: int) -> None:
    """`count` tickets of the person, each subject `size` characters that barely compress."""
    from steward.desk.models import Ticket

    now = clock.now()
    with app.state.runtime.session() as session:
        for _ in range(count):
            session.add(
                Ticket(
                    requester_id=person_id,
                    channel="web",
                    status="open",
                    priority="normal",
                    subject=os.urandom(size // 2).hex().translate(LETTERS),
                    created_at=now,
                    updated_at=now,
                    last_activity_at=now,
                )
            )
        session.commit()


def _peak_while_exporting(app, officer, person_id: str) -> tuple[int, int]:
    """(the most memory allocated while the officer builds an export, its size in bytes)."""
    request_id, _ = verified_request(app, "access", person_id, "ada@example.com")
    officer.get(f"/api/v1/dpo/requests/{request_id}/review")  # a page: not the export
    tracemalloc.start()
    try:
        answer = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer.status_code == 200, answer.text
    with app.state.runtime.session() as session:
        size = session.scalar(select(RequestFile.size).where(RequestFile.request_id == request_id))
    return peak, size


@pytest.mark.promise("R1")
def test_an_export_is_written_as_it_is_read_so_memory_does_not_grow_with_the_data(
    team, app, client
):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    _tickets(app, ada_id, 600, 2000)
    small, small_size = _peak_while_exporting(app, officer, ada_id)
    _tickets(app, ada_id, 1800, 2000)  # four times the data
    large, large_size = _peak_while_exporting(app, officer, ada_id)

    assert large_size > 3 * small_size
    assert large < 1.5 * small  # built in memory, the peak grows with the data
