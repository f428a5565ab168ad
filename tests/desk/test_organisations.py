"""Organisations, their members and the people directory over HTTP: who creates, reads,
changes and removes them, what a contact sees of its end users (D2), and the audit trail."""

import json

import pytest

from tests.desk.team import join, organisation


def test_agents_create_find_rename_and_delete_organisations(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme Generators", domain="Acme.example")
    assert acme["domain"] == "acme.example"
    assert acme["contract_ended_at"] is None
    for name in ("Bayou Print", "Cypress Data", "Delta 100% Power"):
        organisation(agent, name)

    found = agent.get("/api/v1/organisations", params={"text": "PRINT"}).json()
    assert [o["name"] for o in found["items"]] == ["Bayou Print"]
    assert agent.get("/api/v1/organisations", params={"text": "100%"}).json()["items"][0][
        "name"
    ] == ("Delta 100% Power")
    first = agent.get("/api/v1/organisations", params={"limit": 3}).json()
    assert [o["name"] for o in first["items"]] == ["Acme Generators", "Bayou Print", "Cypress Data"]
    assert first["next_offset"] == 3
    rest = agent.get("/api/v1/organisations", params={"offset": 3, "limit": 3}).json()
    assert [o["name"] for o in rest["items"]] == ["Delta 100% Power"]
    assert rest["next_offset"] is None

    renamed = agent.patch(f"/api/v1/organisations/{acme['id']}", json={"name": "Acme Power"})
    assert renamed.json()["name"] == "Acme Power"
    assert renamed.json()["domain"] == "acme.example"
    assert agent.get(f"/api/v1/organisations/{acme['id']}").json() == renamed.json()
    assert agent.delete(f"/api/v1/organisations/{acme['id']}").status_code == 204
    assert agent.get(f"/api/v1/organisations/{acme['id']}").status_code == 404


def test_organisation_input_is_checked_with_clear_messages(team):
    agent = team["agent"]
    organisation(agent, "Acme", domain="acme.example")
    taken = agent.post("/api/v1/organisations", json={"name": "Other", "domain": "acme.example"})
    assert taken.status_code == 409
    assert taken.json()["detail"] == "Another organisation already has this domain."
    bad = agent.post("/api/v1/organisations", json={"name": "Other", "domain": "not a domain"})
    assert bad.status_code == 422
    assert "example.com" in bad.json()["detail"]
    blank = agent.post("/api/v1/organisations", json={"name": "   "})
    assert blank.status_code == 422
    assert blank.json()["detail"] == "An organisation needs a name."
    extra = agent.post("/api/v1/organisations", json={"name": "X", "owner": "me"})
    assert extra.status_code == 422
    assert "owner" in extra.json()["detail"]
    paging = agent.get("/api/v1/organisations", params={"limit": 0})
    assert paging.status_code == 422
    assert len(agent.get("/api/v1/organisations").json()["items"]) == 1


def test_an_organisation_with_devices_cannot_be_deleted_but_its_contract_can_end(team):
    agent = team["agent"]
    acme = organisation(agent, "Acme")
    device = agent.post(
        "/api/v1/devices", json={"type": "generator", "organisation_id": acme["id"]}
    )
    assert device.status_code == 201, device.text
    refused = agent.delete(f"/api/v1/organisations/{acme['id']}")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "This organisation still has devices, so it cannot be deleted; end its contract instead."
    )
    ended = agent.post(f"/api/v1/organisations/{acme['id']}/end-contract").json()
    assert ended["contract_ended_at"] is not None
    again = agent.post(f"/api/v1/organisations/{acme['id']}/end-contract").json()
    assert again["contract_ended_at"] == ended["contract_ended_at"]
    assert agent.get(f"/api/v1/organisations/{acme['id']}").status_code == 200


def test_customers_read_only_the_organisations_they_belong_to(team):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    acme, other = organisation(agent, "Acme"), organisation(agent, "Other")
    join(agent, acme["id"], ada_id, "end_user")

    assert [o["id"] for o in ada.get("/api/v1/organisations").json()["items"]] == [acme["id"]]
    assert ada.get(f"/api/v1/organisations/{acme['id']}").json()["name"] == "Acme"
    assert ada.get(f"/api/v1/organisations/{other['id']}").status_code == 404
    assert ada.post("/api/v1/organisations", json={"name": "Mine"}).status_code == 403
    assert ada.patch(f"/api/v1/organisations/{acme['id']}", json={"name": "X"}).status_code == 403
    assert ada.delete(f"/api/v1/organisations/{acme['id']}").status_code == 403
    assert team["call_reviewer"].get("/api/v1/organisations").status_code == 403
    assert team["billing"].get(f"/api/v1/organisations/{other['id']}").status_code == 200


def test_staff_add_members_by_id_or_by_details_change_their_kind_and_remove_them(team):
    agent = team["agent"]
    _, ada_id = team.customer("ada")
    acme = organisation(agent, "Acme")
    members = f"/api/v1/organisations/{acme['id']}/members"

    contact = join(agent, acme["id"], ada_id, "contact")
    assert (contact["kind"], contact["name"]) == ("contact", "Ada Lovelace")
    assert agent.post(members, json={"kind": "end_user", "person_id": ada_id}).status_code == 409
    new = agent.post(
        members,
        json={
            "kind": "end_user",
            "name": "Bob Byte",
            "email": "bob@acme.example",
            "phone": "+1 713 555 0199",
            "job_title": "Night operator",
        },
    )
    assert new.status_code == 201, new.text
    bob = new.json()
    assert (bob["name"], bob["job_title"]) == ("Bob Byte", "Night operator")
    both = agent.post(members, json={"kind": "end_user", "person_id": ada_id, "name": "X"})
    assert both.status_code == 422
    nobody = agent.post(members, json={"kind": "end_user", "person_id": "no-such-person"})
    assert nobody.status_code == 422

    listed = agent.get(members).json()
    assert [(m["name"], m["kind"]) for m in listed["items"]] == [
        ("Ada Lovelace", "contact"),
        ("Bob Byte", "end_user"),
    ]
    assert [m["name"] for m in agent.get(members, params={"kind": "end_user"}).json()["items"]] == [
        "Bob Byte"
    ]
    paged = agent.get(members, params={"limit": 1}).json()
    assert (len(paged["items"]), paged["next_offset"]) == (1, 1)

    changed = agent.patch(f"{members}/{bob['person_id']}", json={"kind": "contact"})
    assert changed.json()["kind"] == "contact"
    assert changed.json()["job_title"] == "Night operator"
    assert agent.delete(f"{members}/{bob['person_id']}").status_code == 204
    assert [m["person_id"] for m in agent.get(members).json()["items"]] == [ada_id]
    assert agent.delete(f"{members}/{bob['person_id']}").status_code == 404
    assert agent.get(f"/api/v1/people/{bob['person_id']}").json()["name"] == "Bob Byte"


@pytest.mark.promise("D2")
def test_a_contact_adds_end_users_and_sees_their_ids_and_kinds_but_not_their_names(
    team, audit_rows
):
    agent = team["agent"]
    ada, ada_id = team.customer("ada")
    eve, eve_id = team.customer("eve")
    acme, other = organisation(agent, "Acme"), organisation(agent, "Other")
    join(agent, acme["id"], ada_id, "contact")
    join(agent, acme["id"], eve_id, "end_user")
    members = f"/api/v1/organisations/{acme['id']}/members"

    added = ada.post(
        members, json={"kind": "end_user", "name": "Bob Byte", "phone": "713-555-0199"}
    )
    assert added.status_code == 201, added.text
    bob = added.json()
    assert (bob["kind"], bob["name"]) == ("end_user", None)
    entry = next(r for r in audit_rows() if r["person_id"] == bob["person_id"])
    assert (entry["action"], entry["actor_role"], entry["purpose"]) == (
        "create",
        "customer",
        "essential.service",
    )

    seen = {m["person_id"]: (m["kind"], m["name"]) for m in ada.get(members).json()["items"]}
    assert seen == {
        ada_id: ("contact", "Ada Lovelace"),
        eve_id: ("end_user", None),
        bob["person_id"]: ("end_user", None),
    }
    assert agent.get(f"/api/v1/people/{bob['person_id']}").json()["phone"] == "+17135550199"

    assert ada.post(members, json={"kind": "contact", "name": "Mallory"}).status_code == 403
    assert ada.post(members, json={"kind": "end_user", "person_id": eve_id}).status_code == 403
    assert eve.post(members, json={"kind": "end_user", "name": "Trudy"}).status_code == 403
    assert eve.get(members).status_code == 403
    elsewhere = f"/api/v1/organisations/{other['id']}/members"
    assert ada.post(elsewhere, json={"kind": "end_user", "name": "Trudy"}).status_code == 404
    assert ada.get(elsewhere).status_code == 404
    assert ada.patch(f"{members}/{eve_id}", json={"kind": "contact"}).status_code == 403
    assert ada.delete(f"{members}/{eve_id}").status_code == 403
    assert ada.get(f"/api/v1/people/{bob['person_id']}").status_code == 403


@pytest.mark.promise("X3")
def test_staff_find_people_by_exact_email_and_read_them_through_the_gate(team, audit_rows):
    agent = team["agent"]
    made = agent.post(
        "/api/v1/people",
        json={
            "kind": "end_user",
            "name": "Bob Byte",
            "email": "Bob@Acme.example",
            "phone": "(713) 555-0199",
        },
    )
    assert made.status_code == 201, made.text
    bob = made.json()
    assert (bob["name"], bob["email"], bob["phone"]) == (
        "Bob Byte",
        "Bob@Acme.example",
        "+17135550199",
    )

    found = agent.get("/api/v1/people", params={"email": "bob@acme.example"}).json()
    assert found == {
        "items": [{"id": bob["id"], "kind": "end_user", "name": "Bob Byte"}],
        "next_offset": None,
    }
    assert agent.get("/api/v1/people", params={"email": "bob@acme"}).json()["items"] == []
    missing = agent.get("/api/v1/people")
    assert missing.status_code == 422
    assert "email" in missing.json()["detail"]

    before = len(audit_rows())
    read = team["billing"].get(f"/api/v1/people/{bob['id']}")
    assert read.status_code == 200
    assert read.json()["email"] == "Bob@Acme.example"
    entry = audit_rows()[before:][-1]
    assert (entry["action"], entry["person_id"], entry["purpose"], entry["actor_role"]) == (
        "read",
        bob["id"],
        "essential.service.billing",
        "billing",
    )
    # the default policy keeps company (user.profile) out of billing: left out, not read
    assert json.loads(entry["columns"]) == ["name", "email", "phone"]
    assert read.json()["company"] is None

    again = agent.post("/api/v1/people", json={"kind": "customer", "email": "bob@acme.example"})
    assert again.status_code == 409
    assert (
        again.json()["detail"] == f"A person with this email address is already known: {bob['id']}."
    )
    ada, _ = team.customer("ada")
    assert ada.get("/api/v1/people", params={"email": "bob@acme.example"}).status_code == 403
    assert ada.post("/api/v1/people", json={"kind": "customer", "name": "X"}).status_code == 403
    assert agent.get("/api/v1/people/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.promise("X3")
def test_staff_rectify_a_persons_name_phone_and_company_and_it_is_audited(team, audit_rows):
    agent = team["agent"]
    bob = agent.post("/api/v1/people", json={"kind": "end_user", "name": "Bob Bite"}).json()
    before = len(audit_rows())
    fixed = agent.patch(
        f"/api/v1/people/{bob['id']}",
        json={"name": "Bob Byte", "phone": "+44 20 7946 0958", "company": "Acme"},
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["name"], fixed.json()["phone"], fixed.json()["company"]) == (
        "Bob Byte",
        "+442079460958",
        "Acme",
    )
    update = next(r for r in audit_rows()[before:] if r["action"] == "update")
    assert update["person_id"] == bob["id"]
    assert json.loads(update["columns"]) == ["company", "name", "phone"]
    cleared = agent.patch(f"/api/v1/people/{bob['id']}", json={"company": None}).json()
    assert cleared["company"] is None
    empty = agent.patch(f"/api/v1/people/{bob['id']}", json={"name": ""})
    assert empty.status_code == 422
    email = agent.patch(f"/api/v1/people/{bob['id']}", json={"email": "x@example.com"})
    assert email.status_code == 422
    assert (
        team["billing"].patch(f"/api/v1/people/{bob['id']}", json={"name": "X"}).status_code == 403
    )


def test_an_invalid_phone_number_is_refused_with_a_clear_message_and_nothing_is_kept(team):
    agent = team["agent"]
    for phone in ("12", "call me maybe", "+1 555 0"):
        answer = agent.post(
            "/api/v1/people", json={"kind": "end_user", "name": "Bob", "phone": phone}
        )
        assert answer.status_code == 422, phone
        assert "phone number" in answer.json()["detail"]
    acme = organisation(agent, "Acme")
    members = f"/api/v1/organisations/{acme['id']}/members"
    bad = agent.post(members, json={"kind": "end_user", "name": "Bob", "phone": "12"})
    assert bad.status_code == 422
    assert agent.get(members).json()["items"] == []
