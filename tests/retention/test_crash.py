"""A sweep killed mid-batch (SIGKILL, a separate process) and run again ends consistent:
everything due is gone, every file of a deleted row with it, nothing held is touched, the
person due for wiping is wiped whole, and the interrupted run is marked as such."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from steward.core import clock
from steward.desk.models import Attachment, CallRecording, Message, Ticket
from steward.identity.models import Person
from steward.retention.models import RetentionRun
from steward.rights.datamap import holdings
from steward.vault import files
from steward.vault.models import DataKey
from tests.people import process_environment
from tests.retention.conftest import START, filled, hold, sweep
from tests.rights.fill import declared_value
from tests.rights.intake_kit import steward
from tests.rights.work import db

LATER = START + timedelta(days=8 * 366)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = {CallRecording: "recordings", Attachment: "attachments"}


def environment(settings, kill_at: str, kill_after: int) -> dict[str, str]:
    return process_environment(
        settings, FROZEN_AT=LATER.isoformat(), KILL_AT=kill_at, KILL_AFTER=str(kill_after)
    )


def people_with_files(team, app, settings, names):
    made = {}
    with clock.frozen_at(START):
        for name in names:
            _, person_id = team.customer(name)
            made[name] = (person_id, filled(app, person_id))
            with db(app) as session:
                for model, kind in FILES.items():
                    file_id = made[name][1][model.__tablename__]
                    files.store(session, settings.files_dir, kind, file_id, person_id, b"audio")
    return made


def on_disk(settings, kind: str, file_id: str) -> bool:
    return file_id in files.stored_ids(
        settings.files_dir, kind, datetime.now(UTC) + timedelta(days=1)
    )


@pytest.mark.promise("T2", "T3")
@pytest.mark.parametrize(
    ("kill_at", "kill_after"),
    [
        ("UPDATE payments", 1),  # anonymising, the first batch
        ("DELETE FROM call_recordings", 2),  # deleting rows with files, the second batch
        ("DELETE FROM messages", 1),  # a thread, its attachments already gone
        ("UPDATE devices SET person_id", 1),  # wiping a person: the last transaction
        ("UPDATE retention_runs", 2),  # writing the report
    ],
)
def test_a_sweep_killed_mid_batch_finishes_on_the_next_run(
    team, app, identity_settings, kill_at, kill_after
):
    officer = team["privacy_officer"]
    made = people_with_files(team, app, identity_settings, ["ada", "bob", "cy", "di", "ed"])
    ada, ada_rows = made["ada"]
    bob = made["bob"][0]
    placed = hold(officer, "person", ada, "dispute")
    with db(app) as session:  # bob's account closed long ago: he is wiped in this sweep
        session.get_one(Person, bob).closed_at = START
        session.commit()

    killed = subprocess.run(
        [sys.executable, "-m", "tests.retention.killed_sweep", "retention", "run", "--batch", "2"],
        env=environment(identity_settings, kill_at, kill_after),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr

    with clock.frozen_at(LATER):
        printed = sweep(identity_settings, "--batch", "2")
        assert f"hold {placed['id']} kept" in printed
        planned = steward(identity_settings, "retention", "plan")
        assert "nothing is due now" in planned.output or all(
            line.split()[-2] == "0" for line in planned.output.splitlines()[1:] if line.strip()
        ), planned.output
        assert "delete " not in sweep(identity_settings)  # the second run finds nothing

    with db(app) as session:
        statuses = [
            r.status
            for r in session.scalars(select(RetentionRun).order_by(RetentionRun.started_at))
        ]
        assert statuses[0] == "interrupted" and statuses[1:] == ["done", "done"]
        for name, (_person_id, rows) in made.items():
            if name == "ada":
                continue
            for model in (Ticket, Message, *FILES):
                assert session.get(model, rows[model.__tablename__]) is None, (name, model)
            for model, kind in FILES.items():
                assert not on_disk(identity_settings, kind, rows[model.__tablename__])
        wiped = session.get_one(Person, bob)
        assert wiped.erased_at is not None and wiped.email is None
        assert session.get_one(DataKey, bob).shredded_at is not None
        for holding in holdings():  # the held person's rows: every one there, unchanged
            if holding.name in ada_rows and holding.name not in ("people", "accounts"):
                kept = session.get(holding.model, ada_rows[holding.name])
                assert kept is not None, holding.name
                for column in holding.columns:
                    assert getattr(kept, column) == declared_value(holding.table, column), (
                        holding.name,
                        column,
                    )
        for model, kind in FILES.items():
            assert on_disk(identity_settings, kind, ada_rows[model.__tablename__])
