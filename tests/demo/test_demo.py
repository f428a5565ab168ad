"""`steward demo`: a realistic desk, loaded through the command line as a newcomer does."""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from steward.core import clock
from steward.core.cards import contains_card_number
from steward.core.db import Base, make_engine, release
from steward.desk import models as desk
from steward.identity.models import Account, Person
from steward.pii.mentions import Mention
from steward.retention.models import LegalHold
from steward.rights.models import RightsRequest
from steward.vault import files
from tests.people import totp_code
from tests.rights.conftest import code_in_last

DESK_MODELS = [
    model
    for model in vars(desk).values()
    if isinstance(model, type) and issubclass(model, Base) and model.__module__ == desk.__name__
] + [Mention, LegalHold]  # the desk's mentions (pii/) and the officer's holds (retention/)


def loaded(demo, *args: str) -> str:
    result = demo("--people", "12", *args)
    assert result.exit_code == 0, result.output
    return result.output


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_demo_fills_every_desk_table(demo, database, identity_settings):
    output = loaded(demo)
    assert "demo loaded (seed 1)" in output
    empty = [model.__tablename__ for model in DESK_MODELS if count(database, model) == 0]
    assert empty == []
    assert len(DESK_MODELS) >= 20
    recordings = list((identity_settings.files_dir / "recordings").rglob("*"))
    assert any(path.is_file() for path in recordings)


def test_the_demo_gives_the_privacy_officer_requests_in_every_state(
    demo, database, mailbox, client
):
    output = loaded(demo)
    assert "6 privacy requests wait at /dpo" in output
    requests = database.scalars(select(RightsRequest)).all()
    assert {r.status for r in requests} == {"open", "scheduled", "unverified"}
    assert any(r.due_at < clock.now() for r in requests)  # one is overdue
    demo_logins = set(database.scalars(select(Account.person_id)))
    assert not {r.person_id for r in requests} & demo_logins  # no demo sign-in is erased
    waiting = next(r for r in requests if r.status == "unverified")
    code = code_in_last(mailbox, waiting.email)  # its code was mailed, as the intake does
    verified = client.post(f"/api/v1/rights/{waiting.reference}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text


def test_calls_have_recordings_only_where_the_notice_was_played(demo, database, identity_settings):
    loaded(demo)
    played = dict(database.execute(select(desk.Call.id, desk.Call.recording_notice_played)).all())
    recordings = database.scalars(select(desk.CallRecording)).all()
    assert recordings
    assert all(played[r.call_id] for r in recordings)
    root = identity_settings.files_dir
    audio = files.load(database, root, "recordings", recordings[0].id, recordings[0].owner_id)
    assert audio.startswith(b"RIFF")
    assert (
        b"RIFF" not in (root / "recordings" / recordings[0].id[:2] / recordings[0].id).read_bytes()
    )
    sessions = database.scalars(select(desk.RemoteSession)).all()
    assert sessions
    assert all(s.consent_recorded_at <= s.started_at for s in sessions)


def test_the_same_seed_gives_the_same_organisations(demo, database):
    loaded(demo, "--seed", "7")
    first = database.scalars(select(desk.Organisation.name)).all()
    database.rollback()  # read what the next load writes, not this transaction's snapshot
    loaded(demo, "--seed", "7", "--force")
    twice = Counter(database.scalars(select(desk.Organisation.name)))
    assert twice == Counter(first * 2)
    database.rollback()
    loaded(demo, "--seed", "8", "--force")
    third = Counter(database.scalars(select(desk.Organisation.name))) - twice
    assert set(third) != set(first)


@pytest.mark.promise("D4")
def test_no_full_card_number_is_anywhere_in_the_database(demo, database):
    loaded(demo)
    for model in [*DESK_MODELS, Person]:
        # Every field holding what people write or say; ids and hashes are random and may
        # happen to look like a number that passes the Luhn check.
        typed = [
            c.key for c in model.__table__.columns if c.info.keys() & {"encrypted", "user_text"}
        ]
        for row in database.scalars(select(model)):
            for key in typed:
                value = getattr(row, key)
                assert not (value and contains_card_number(value)), f"{model.__tablename__}.{key}"
    payments = database.scalars(select(desk.Payment)).all()
    assert payments
    for payment in payments:
        assert payment.processor == "stripe"
        assert payment.token.startswith("pm_")
        assert re.fullmatch(r"\d{4}", payment.card_last4)


@pytest.mark.promise("X1")
def test_sealed_columns_are_ciphertext_in_the_raw_database(demo, database, identity_settings):
    loaded(demo)
    names = [p.name for p in database.scalars(select(Person).limit(10))]
    body = database.scalars(select(desk.Message).limit(1)).one().body
    secrets = [name.encode() for name in names] + [body[:30].encode()]
    engine = make_engine(identity_settings.database_url)
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                for row in connection.execute(text(f"SELECT * FROM {table.name}")):
                    raw = b"|".join(
                        v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None
                    )
                    assert not any(secret in raw for secret in secrets), table.name
    finally:
        release(engine)
    if identity_settings.database_url.startswith("sqlite"):
        path = Path(identity_settings.database_url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert not any(secret in raw for secret in secrets)


@pytest.mark.promise("X2")
def test_the_demo_admin_signs_in_with_the_printed_password_and_secret(client, demo):
    output = loaded(demo)
    password = re.search(r"with the password: (\S+)", output).group(1)
    secret = re.search(r"admin\s+admin@demo\.steward\.test\s+MFA secret (\w+)", output).group(1)
    signed_in = client.post(
        "/api/v1/auth/sign-in", json={"email": "admin@demo.steward.test", "password": password}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["next"] == "mfa"
    client.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
    code = totp_code(secret)
    assert client.post("/api/v1/auth/mfa", json={"code": code}).status_code == 200
    queue = client.get("/api/v1/tickets")
    assert queue.status_code == 200, queue.text
    assert queue.json()["items"]


def test_a_demo_customer_signs_in_without_mfa_and_sees_only_their_tickets(client, demo, database):
    output = loaded(demo)
    password = re.search(r"with the password: (\S+)", output).group(1)
    assert re.search(r"customer\s+contact@demo\.steward\.test\s+no MFA", output)
    signed_in = client.post(
        "/api/v1/auth/sign-in", json={"email": "contact@demo.steward.test", "password": password}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["next"] == "ready"
    tickets = client.get("/api/v1/tickets", params={"limit": 200})
    assert tickets.status_code == 200, tickets.text
    total = count(database, desk.Ticket)
    assert 0 < len(tickets.json()["items"]) < total


def test_the_load_is_one_entry_in_the_audit_trail(demo, audit_rows):
    loaded(demo)
    entries = [r for r in audit_rows() if r["action"] == "demo_loaded"]
    assert len(entries) == 1
    assert entries[0]["actor"] == "system"
    assert entries[0]["person_id"] is None


def test_if_empty_does_nothing_on_a_filled_desk(demo, database):
    loaded(demo)
    before = count(database, desk.Ticket)
    quiet = demo("--if-empty")
    assert quiet.exit_code == 0
    assert quiet.output == ""
    again = demo()
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        "error: the desk already holds tickets; pass --force to add demo data anyway"
    ]
    assert count(database, desk.Ticket) == before


def test_the_data_spans_more_than_three_years(demo, database):
    loaded(demo)
    now = clock.now()
    for column in (desk.Ticket.created_at, desk.Telemetry.recorded_at, desk.Message.created_at):
        oldest, newest = database.execute(select(func.min(column), func.max(column))).one()
        assert oldest < now - timedelta(days=3 * 365), column
        assert newest > now - timedelta(days=60), column
    # Older than the policy keeps them: recordings (3 months), technical logs (1 year).
    stale = now - timedelta(days=92)
    assert database.scalar(select(func.count()).where(desk.CallRecording.created_at < stale))
    year = now - timedelta(days=366)
    assert database.scalar(select(func.count()).where(desk.Telemetry.recorded_at < year))


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--people", "0"], "error: --people must be at least 1"),
        (["--force", "--if-empty"], "error: --force and --if-empty contradict each other"),
    ],
)
def test_bad_input_is_refused_with_a_one_line_reason(demo, database, args, reason):
    result = demo(*args)
    assert result.exit_code == 1
    assert result.output.startswith(reason)
    assert len(result.output.strip().splitlines()) == 1
    assert count(database, desk.Ticket) == 0
