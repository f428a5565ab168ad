"""R10: opting out of the sale and sharing of one's data is honoured everywhere and costs the
person nothing. The policy here shares marketing contacts with an independent third party (a
recipient of kind `third_party`); the opt-out stops that purpose for the person in the access
gate, the outbox tells the third party (and no mere processor), and the service stays the same."""

import pytest
import yaml
from sqlalchemy import select

from steward.identity.models import Person
from steward.rights.models import RightsRequest
from tests.consent.kit import choose
from tests.consent.test_unsubscribe import OFFER, SEND, offers, subscribed
from tests.people import sign_in
from tests.rights.conftest import ask
from tests.rights.intake_kit import steward
from tests.rights.work import db

PARTNER = {
    "name": "Gen Offers Network LLC",
    "kind": "third_party",
    "service": "Sends partner offers about generators to people who agreed to marketing.",
    "categories": ["user.preferences"],
    "purposes": ["marketing.communications"],
    "location": "US",
    "transfer_safeguard": "scc",
    "contract_date": "2026-01-10",
    "vetted_date": "2026-06-01",
    "contact": "privacy@genoffers.example",
}


@pytest.fixture
def data_dir(data_dir):
    """The example policy with a third party that receives marketing contacts."""
    path = data_dir / "policy.yaml"
    policy = yaml.safe_load(path.read_text())
    policy["processors"]["genoffers"] = PARTNER
    path.write_text(yaml.safe_dump(policy, sort_keys=False))
    return data_dir


@pytest.mark.promise("R10")
def test_an_opt_out_stops_every_use_shared_with_a_third_party(app, admin, mailbox, new_client):
    ada, _ = subscribed(new_client, mailbox, "ada@example.com")
    subscribed(new_client, mailbox, "bob@example.com")

    asked = ask(ada, "ccpa_opt_out")  # signed in: verified by the session, done at once

    assert asked["status"] == "done", asked
    sent = admin.post(SEND, json=OFFER)
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == 1
    assert offers(mailbox, "ada@example.com") == []  # a purpose shared with the partner
    assert len(offers(mailbox, "bob@example.com")) == 1  # who did not opt out still gets it
    assert ada.get("/api/v1/me/preferences").json()["marketing"] is True  # her switch untouched


@pytest.mark.promise("R10")
def test_the_outbox_tells_each_third_party_and_no_processor(app, mailbox, new_client):
    ada, ada_id = subscribed(new_client, mailbox, "ada@example.com")
    reference = ask(ada, "ccpa_opt_out")["reference"]

    ran = steward(app.state.settings, "rights", "run")  # as the worker or cron does

    assert ran.exit_code == 0, ran.output
    [notice] = mailbox.to("privacy@genoffers.example")
    assert notice["Subject"] == f"Opt-out of sale and sharing: {reference}"
    text = notice.get_payload(decode=True).decode()
    assert ada_id in text and "stop selling or sharing" in text
    assert "ada@example.com" not in text  # named by id only
    assert mailbox.to("privacy@stripe.com") == []  # a processor acting for us is not told
    assert PARTNER["name"] in ada.get("/privacy/center").text  # who was told, for her to see


@pytest.mark.promise("R10")
def test_opting_out_costs_nothing_the_service_stays_the_same(app, mailbox, new_client):
    ada, _ = subscribed(new_client, mailbox, "ada@example.com")
    ask(ada, "ccpa_opt_out")

    ticket = ada.post("/api/v1/tickets", json={"subject": "No power", "body": "It stopped."})
    assert ticket.status_code == 201, ticket.text
    assert ada.get(f"/api/v1/tickets/{ticket.json()['id']}").status_code == 200
    changed = ada.put("/api/v1/me/preferences", json={"maintenance_alerts": False})
    assert changed.status_code == 200, changed.text
    portal = ada.get("/portal")
    assert portal.status_code == 200
    assert "No power" in portal.text


def _opted_out(app, person_id: str) -> bool:
    with db(app) as session:
        return session.get(Person, person_id).sale_opt_out_at is not None


def _opt_out_requests(app, person_id: str) -> list[RightsRequest]:
    with db(app) as session:
        query = select(RightsRequest).where(
            RightsRequest.person_id == person_id, RightsRequest.kind == "ccpa_opt_out"
        )
        return list(session.scalars(query))


@pytest.mark.promise("R10")
def test_a_global_privacy_control_signal_at_sign_in_opts_the_person_out_once(
    app, mailbox, new_client
):
    _, ada_id = subscribed(new_client, mailbox, "ada@example.com")
    assert not _opted_out(app, ada_id)  # signed in without the signal
    with_signal = new_client()
    with_signal.headers["Sec-GPC"] = "1"

    assert sign_in(with_signal, "ada@example.com").status_code == 200
    assert sign_in(with_signal, "ada@example.com").status_code == 200  # honoured once

    assert _opted_out(app, ada_id)
    [request] = _opt_out_requests(app, ada_id)
    assert (request.status, request.verification) == ("done", "signal")
    received = mailbox.to("ada@example.com")[-2].get_payload(decode=True).decode()
    assert "Global Privacy Control" in received
    assert steward(app.state.settings, "rights", "run").exit_code == 0
    assert mailbox.to("privacy@genoffers.example")  # the third party is told


@pytest.mark.promise("R10")
def test_the_banner_s_signal_from_a_signed_in_person_opts_the_person_out(app, mailbox, new_client):
    ada, ada_id = subscribed(new_client, mailbox, "ada@example.com")
    choose(ada, {"analytics": True}, headers={"Sec-GPC": "1"})
    assert _opted_out(app, ada_id)
    choose(new_client(), {"analytics": True}, headers={"Sec-GPC": "1"})  # a visitor: no person
    with db(app) as session:
        asked_for = session.scalars(select(RightsRequest.person_id)).all()
    assert asked_for == [ada_id]
