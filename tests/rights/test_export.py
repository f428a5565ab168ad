"""R1 access and R10 know: a zip with export.json, a CSV per category and a report; R5
portability: what the person gave, as JSON, downloadable or pushed signed over HTTPS."""

import base64
import io
import json
import zipfile
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from steward.core import clock
from tests.rights.test_recipients import webhook  # noqa: F401  (the HTTPS receiver)
from tests.rights.work import verified_request


def _fulfil(officer, request_id: str) -> str:
    answer = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
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
    assert contact["about"]["purposes"] and contact["about"]["retention"]["period"]
    assert [r["reference"] for r in document["requests"]] == [reference]
    report = archive.read("report.html").decode()
    assert "Recipients" in report and "Ada Lovelace" in report


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


@pytest.mark.promise("R1")
def test_an_access_export_lists_where_other_peoples_records_name_the_person(
    team, app, mailbox, client
):
    ada, _ = team.customer("ada")
    ticket = ada.post("/api/v1/tickets", json={"subject": "Fan noise", "body": "Loud."}).json()
    agent = team["agent"]
    reply = agent.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "On my way."})
    assert reply.status_code == 201, reply.text
    agent_id = team.people["agent"]
    request_id, _ = verified_request(app, "access", agent_id, "agent@example.com")

    _fulfil(team["privacy_officer"], request_id)
    token = _token_in_mail(mailbox, "agent@example.com")
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )
    document = json.loads(archive.read("export.json"))

    assert {"table": "messages", "row_id": reply.json()["id"], "as": "author_id"} in (
        document["mentioned_in"]
    )
    assert "On my way." not in archive.read("export.json").decode()  # Ada's ticket, Ada's data


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
