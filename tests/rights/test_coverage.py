"""The data map's coverage: every declared column, filled for one person, is in their access
export, and after their erasure is gone, emptied, or (only what the law keeps) re-sealed
under a new key. A newly declared column is covered here without touching this test; one
the engine cannot handle makes it fail."""

import io
import json
import zipfile
from datetime import timedelta

import pytest

from steward.core import clock
from steward.rights import erasure
from steward.rights.datamap import holdings
from steward.rights.erasure_plan import is_kept
from tests.rights.fill import declared_value, fill
from tests.rights.work import db, verified_request


@pytest.mark.promise("R1")
@pytest.mark.promise("R3")
def test_every_declared_column_is_exported_then_erased(team, app, client):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    with db(app) as session:
        made = fill(session, ada_id)

    request_id, _ = verified_request(app, "access", ada_id, "ada@example.com")
    token = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={}).json()["token"]
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
    assert officer.post(f"/api/v1/dpo/requests/{erase_id}/fulfil", json={}).status_code == 200
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        assert erasure.run_due(app.state.sessions, app.state.vault, app.state.settings) == 1

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
