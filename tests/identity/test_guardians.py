"""Children (C3): below the policy's minimum age an account waits for the guardian named at
sign-up, who is mailed a link, reads what is collected and who receives it, and consents
(separately to third parties); the guardian can then see the child's data and ask for its
export or erasure through an access link. All through HTTP, as the guardian's browser does."""

import re

import pytest
from sqlalchemy import select

from steward.identity.models import Person
from steward.rights.models import RightsRequest
from tests.consent.kit import ledger_rows
from tests.desk.team import Team
from tests.people import register, sign_in, verify
from tests.rights.work import db, fulfil

KID = "kid@example.com"
PARENT = "parent@example.com"
CHILD = {"birth_date": "2018-05-01", "name": "Kit Lovelace"}
GUARDIAN = {"guardian_name": "Grace Lovelace", "guardian_email": PARENT}


def registered_child(client, mailbox) -> str:
    """A child registered with a guardian and their own address confirmed; the consent token."""
    answer = register(client, KID, **CHILD, **GUARDIAN)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "pending_guardian"
    assert verify(client, mailbox, KID).json()["status"] == "pending_guardian"
    return mailbox.token_in_last(PARENT, "/guardian/consent")


def consent_form(page_text: str) -> dict[str, str]:
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page_text)
    assert found, "no consent form on the page"
    return {"text_sha256": found.group(1), "account": "yes"}


def give_consent(client, token: str, **choices: str):
    page = client.get("/guardian/consent", params={"token": token})
    assert page.status_code == 200, page.text
    return client.post(
        "/guardian/consent", params={"token": token}, data={**consent_form(page.text), **choices}
    )


def person_id_of(client) -> str:
    return client.get("/api/v1/me").json()["person_id"]


@pytest.mark.promise("C3")
@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({}, "name and email address of a parent or guardian"),
        ({"guardian_name": "Grace", "guardian_email": KID}, "not yours"),
        ({"guardian_name": "Grace", "guardian_email": "grace@nowhere"}, "guardian_email"),
    ],
)
def test_a_child_must_name_a_guardian_with_their_own_address(client, mailbox, extra, says):
    answer = register(client, KID, **CHILD, **extra)
    assert answer.status_code == 422
    assert says in answer.json()["detail"]
    assert mailbox.messages == []  # nothing half-done: no account, no mail


@pytest.mark.promise("C3", "C2")
def test_the_account_opens_only_when_the_guardian_consents(app, client, mailbox):
    token = registered_child(client, mailbox)
    refused = sign_in(client, KID)
    assert refused.status_code == 403 and "guardian" in refused.json()["detail"]
    invitation = mailbox.last_to(PARENT)
    assert "Kit Lovelace" in invitation["Subject"]

    page = client.get("/guardian/consent", params={"token": token})
    assert page.status_code == 200
    assert "Kit Lovelace" in page.text and "Account data" in page.text
    assert "Amazon Web Services" in page.text  # the processor that receives account data
    assert "We disclose nothing of a child" in page.text  # no third party in this policy

    unticked = client.post(
        "/guardian/consent", params={"token": token}, data={"text_sha256": "0" * 64}
    )
    assert unticked.status_code == 422 and "tick the box" in unticked.text
    assert sign_in(client, KID).status_code == 403  # still closed, the link still works

    done = give_consent(client, token)
    assert done.status_code == 200, done.text
    assert "consent is recorded" in done.text
    signed = sign_in(client, KID)
    assert signed.status_code == 200, signed.text
    kid_id = person_id_of(client)
    events = {e.purpose: e for e in ledger_rows(app, kid_id)}
    assert (events["guardian.account"].choice, events["guardian.account"].method) == (
        "given",
        "guardian",
    )
    assert events["guardian.third_parties"].choice == "withdrawn"
    assert events["guardian.account"].policy_version == "1.0"
    assert "consented" in mailbox.last_to(PARENT)["Subject"]
    again = client.get("/guardian/consent", params={"token": token})
    assert again.status_code == 400 and "already been used" in again.text


@pytest.mark.promise("C3")
def test_a_guessed_or_changed_link_shows_nothing(client, mailbox):
    token = registered_child(client, mailbox)
    for path in ("/guardian/consent", "/guardian/child"):
        page = client.get(path, params={"token": "x" * 43})
        assert page.status_code == 400 and "Kit" not in page.text
    changed = client.post(
        "/guardian/consent", params={"token": token}, data={"account": "yes", "text_sha256": "1"}
    )
    assert changed.status_code == 422 and "changed" in changed.text
    assert sign_in(client, KID).status_code == 403


PARTNER = {
    "name": "Young Makers Club Ltd",
    "kind": "third_party",
    "service": "Sends news of our workshops for young people.",
    "categories": ["user.account"],
    "purposes": ["marketing.communications"],
    "location": "US",
    "transfer_safeguard": "scc",
    "contract_date": "2026-01-10",
    "vetted_date": "2026-06-01",
    "contact": "privacy@youngmakers.example",
}


@pytest.fixture
def with_third_party(settings):
    """The example policy with a third party receiving account data for marketing."""
    import yaml

    policy = yaml.safe_load(settings.policy.read_text())
    policy["categories"]["user.account"]["purposes"].append("marketing.communications")
    policy["processors"]["youngmakers"] = PARTNER
    settings.policy.write_text(yaml.safe_dump(policy, sort_keys=False))


@pytest.mark.promise("C3", "R10")
@pytest.mark.parametrize("third_parties", [True, False])
def test_consent_to_third_parties_is_separate_and_decides_what_they_get(
    with_third_party, app, admin, mailbox, new_client, third_parties
):
    kid = new_client()
    token = registered_child(kid, mailbox)
    page = kid.get("/guardian/consent", params={"token": token})
    assert "Young Makers Club Ltd" in page.text and 'name="third_parties"' in page.text

    choices = {"third_parties": "yes"} if third_parties else {}
    assert give_consent(kid, token, **choices).status_code == 200
    assert sign_in(kid, KID).status_code == 200
    assert kid.put("/api/v1/me/preferences", json={"marketing": True}).status_code == 200
    sent = admin.post("/api/v1/marketing-messages", json={"subject": "Workshop", "body": "Come."})

    assert sent.status_code == 200, sent.text
    assert len(mailbox.to(KID)) - 1 == int(third_parties)  # (the first mail: confirm address)
    with db(app) as session:
        kid_id = session.scalar(select(Person.id).where(Person.kind == "child"))
        assert (session.get(Person, kid_id).sale_opt_out_at is None) is third_parties


@pytest.mark.promise("C3")
def test_the_guardian_sees_the_childs_data_and_asks_for_export_and_erasure(
    app, admin, mailbox, new_client
):
    kid = new_client()
    give_consent(kid, registered_child(kid, mailbox))
    stranger = new_client()
    for address in ("nobody@example.com", PARENT):
        answer = stranger.post("/guardian", data={"email": address})
        assert answer.status_code == 200
        assert "If this address belongs" in answer.text  # the same answer either way
    assert mailbox.to("nobody@example.com") == []
    access = mailbox.token_in_last(PARENT, "/guardian/child")

    page = stranger.get("/guardian/child", params={"token": access})
    assert page.status_code == 200
    assert "Kit Lovelace" in page.text and KID in page.text and "2018-05-01" in page.text
    assert "Your child&#39;s account" in page.text  # the consent record, in words

    asked = stranger.post("/guardian/child", params={"token": access}, data={"kind": "access"})
    assert asked.status_code == 200, asked.text
    reference = re.search(r"reference (PR-[A-Z0-9-]+)", asked.text).group(1)
    reused = stranger.post("/guardian/child", params={"token": access}, data={"kind": "erasure"})
    assert reused.status_code == 400  # one request per link

    stranger.post("/guardian", data={"email": PARENT})
    second = mailbox.token_in_last(PARENT, "/guardian/child")
    erase = stranger.post("/guardian/child", params={"token": second}, data={"kind": "erasure"})
    assert erase.status_code == 200, erase.text

    officer = Team(admin, mailbox, new_client)["privacy_officer"]
    items = officer.get("/api/v1/dpo/requests").json()["items"]
    mine = {i["reference"]: i for i in items if i["kind"] in ("access", "erasure")}
    assert reference in mine
    with db(app) as session:
        requests = session.scalars(select(RightsRequest)).all()
        kid_id = session.scalar(select(Person.id).where(Person.kind == "child"))
        assert {(r.kind, r.verification, r.person_id, r.on_behalf) for r in requests} == {
            ("access", "guardian", kid_id, True),
            ("erasure", "guardian", kid_id, True),
        }
    fulfilled = fulfil(officer, mine[reference]["id"])
    assert fulfilled.status_code == 200, fulfilled.text
    export_mail = mailbox.last_to(PARENT).get_payload(decode=True).decode()
    assert reference in mailbox.last_to(PARENT)["Subject"] and "download" in export_mail.lower()
    assert mailbox.to(KID)[-1]["Subject"] == "Confirm your email address"  # all to the guardian


@pytest.mark.promise("C3")
def test_nobody_can_claim_a_guardians_verification_through_the_api(app, client, mailbox):
    registered_child(client, mailbox)
    body = {"kind": "erasure", "email": KID, "verified_by": "guardian"}
    answer = client.post("/api/v1/rights", json=body)
    assert answer.status_code == 422
    with db(app) as session:
        assert session.scalars(select(RightsRequest)).all() == []
