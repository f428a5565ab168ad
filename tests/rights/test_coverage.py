"""The data map's coverage: every declared column, filled for one person, is in their access
export, and after their erasure is gone, emptied, or (only what the law keeps) re-sealed
under a new key. A newly declared column is covered here without touching this test; one
the engine cannot handle makes it fail."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import Column, ForeignKey, MetaData, String, Table

from steward.core import clock
from steward.identity.models import Person
from steward.rights import erasure, export
from steward.rights.datamap import holdings, paths
from steward.rights.erasure_plan import is_kept
from tests.rights.fill import Filler, declared_value, fill
from tests.rights.work import db, fulfil, verified_request


@pytest.mark.promise("R1")
@pytest.mark.promise("R3")
def test_every_declared_column_is_exported_then_erased(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    with db(app) as session:
        made = fill(session, ada_id)

    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    token = fulfil(officer, request_id).json()["token"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )
    document = json.loads(archive.read("export.json"))
    found = {
        (v["table"], v["column"], str(v["value"]))
        for category in document["categories"].values()
        for v in category["values"]
    }
    for holding in holdings():
        if holding.subject is None:
            continue  # documents and exports of a request: removed, never about the person
        for column in holding.columns:
            expected = str(declared_value(holding.table, column))
            assert (holding.name, column, expected) in found, f"{holding.name}.{column}"

    erase_id, _ = verified_request(app, "erasure", ada_id, "ada@example.com")
    assert fulfil(officer, erase_id).status_code == 200
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        assert erasure.run_due(app.state.runtime) == 1

    policy = app.state.active_policy.policy
    with db(app) as session:
        for holding in holdings():
            key = next(iter(holding.table.primary_key.columns))
            row = session.get(holding.model, made[holding.name])
            if row is None:
                continue  # deleted
            for column, category in holding.columns.items():
                value = getattr(row, column)
                if is_kept(policy, category):
                    assert value == declared_value(holding.table, column)  # re-sealed, readable
                else:
                    assert value is None, f"{holding.name}.{column} survived the erasure"
            assert key is not None


class LinkedFiller(Filler):
    """Rows owned by `owner_id` whose links to a person (and the parents they follow) name
    `linked_id`: what reaches the linked person only by a link."""

    def __init__(self, session, owner_id: str, linked_id: str) -> None:
        super().__init__(session, owner_id)
        self.linked_id = linked_id

    def _value(self, table, column):
        holding = self.models.get(table.name)
        subject = holding is not None and column.key in (holding.owner, holding.subject)
        if not subject and any(fk.column.table.name == "people" for fk in column.foreign_keys):
            return self.linked_id
        return super()._value(table, column)


@pytest.mark.promise("R1")
def test_every_link_to_a_person_brings_its_rows_into_their_export(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    _, bob_id = team.customer("bob")
    linked = {p.holding.name for p in paths() if p.how != "subject"}
    with db(app) as session:
        filler = LinkedFiller(session, bob_id, ada_id)
        for name in sorted(linked):
            filler.row(name)
        session.commit()
        made = filler.made

    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    token = fulfil(officer, request_id).json()["token"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.post("/api/v1/rights/download", json={"token": token}).content)
    )
    document = json.loads(archive.read("export.json"))
    found = {
        (v["table"], str(v["row_id"]))
        for category in document["categories"].values()
        for v in category["values"]
    }
    assert linked >= {"devices", "telemetry", "service_records", "tickets", "messages"}
    for name in linked:
        assert (name, str(made[name])) in found, f"{name} reached by a link, not exported"


@pytest.mark.promise("R1")
def test_every_link_to_a_person_has_a_place_in_the_export():
    assert export.unplaced() == []


@pytest.mark.promise("R1")
def test_a_new_link_with_no_place_in_the_export_is_named():
    metadata = MetaData()
    watchers = Table(
        "ticket_watchers",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("person_id", String(36), ForeignKey(Person.__table__.c.id)),
        Column("told_id", String(36), info={"person": True}),  # a declared link, no key
        Column("ticket_id", String(36)),
    )

    assert export.unplaced([watchers]) == ["ticket_watchers.person_id", "ticket_watchers.told_id"]
