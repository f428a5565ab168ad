"""An erasure reaches the backups taken before it (R3, X5).

A backup holds no data key; an erasure destroys the person's key in the live store. So after
an erasure neither the live database nor a backup taken earlier, restored, yields the
person's data in clear, nor their attachments and call recordings (the restore leaves out
the files no live key opens), while everyone else's data and files restore as they were.

The erasure is a request already approved and past its grace, carried out by
`steward rights run` as the worker or an operator would (the whole HTTP path of an erasure
is in tests/rights/test_whole_path.py).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from steward.backup.erased import sealed_tables
from steward.core import clock
from steward.core.db import Base, make_engine, make_sessionmaker, release
from steward.core.errors import NotFound
from steward.desk.models import Attachment, CallRecording, Ticket
from steward.identity.models import Account, Person
from steward.retention.models import LegalHold
from steward.rights.common import new_reference
from steward.rights.models import RightsRequest
from steward.vault import files
from steward.vault.keyring import Keyring
from steward.vault.service import ERASED, Vault

pytestmark = pytest.mark.promise("R3", "X5")


# What the example's erasure keeps because the law requires it (`requests.erasure_keeps`):
# kept, re-sealed, readable under the legal purpose (tests/desk/test_kept_by_law.py).
KEPT_BY_LAW = ("user.financial",)


def values_of(session, person_id: str) -> list[str]:
    """Every sealed value the person owns that an erasure must reach, opened, through the
    models (what the law keeps is left out)."""
    found = []
    for table, owner, sealed in sealed_tables():
        model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
        erasable = [c for c in sealed if not c.info["category"].startswith(KEPT_BY_LAW)]
        for row in session.scalars(select(model).where(owner == person_id)):
            found += [getattr(row, c.key) for c in erasable if getattr(row, c.key) is not None]
    return found


def raw_bytes(url: str, tmp_path: Path) -> bytes:
    """Everything the database stores, as bytes: the SQLite files, or every row of every
    table read back raw from PostgreSQL."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return b"".join(
                repr(tuple(row)).encode()
                for table in Base.metadata.sorted_tables
                for row in connection.execute(select(table))
            )
    finally:
        release(engine)


@pytest.fixture
def two_customers(steward, settings, open_session):
    """A demo desk, and two of its customers with tickets: (victim, other) person ids, each
    with their clear values as the desk reads them."""
    assert steward("demo", "--people", "4").exit_code == 0
    with open_session(settings.database_url) as session:
        # the demo's legal holds would postpone the erasure (T2); this test is about backups
        session.execute(update(LegalHold).values(released_at=clock.now()))
        session.commit()
        ranked = session.execute(
            select(Ticket.requester_id, func.count())
            .join(Person, Person.id == Ticket.requester_id)
            .where(Person.kind != "staff")
            .group_by(Ticket.requester_id)
            .order_by(func.count().desc(), Ticket.requester_id)
        ).all()
        victim, other = ranked[0][0], ranked[1][0]
        clear = {p: values_of(session, p) for p in (victim, other)}
    assert len(clear[victim]) >= 3 and len(clear[other]) >= 3
    return victim, other, clear


def files_by_owner(session) -> dict[str, list[tuple[str, str]]]:
    """Everyone's attachments and call recordings: owner -> [(kind, id)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for model, kind in ((Attachment, "attachments"), (CallRecording, "recordings")):
        for file_id, owner in session.execute(select(model.id, model.owner_id)):
            found.setdefault(owner, []).append((kind, file_id))
    return found


def erase(steward, settings, person_id: str) -> None:
    """An erasure request for the person, verified and past its grace, run by the CLI."""
    vault = Vault(Keyring.load(settings.key_file))
    engine = make_engine(settings.database_url)
    try:
        sessions = make_sessionmaker(engine)
        now = clock.now()
        with sessions() as session:
            vault.attach(session)
            session.add(
                RightsRequest(
                    reference=new_reference(),
                    kind="erasure",
                    channel="web",
                    status="scheduled",
                    person_id=person_id,
                    verification="session",
                    received_at=now - timedelta(days=10),
                    verified_at=now - timedelta(days=10),
                    due_at=now + timedelta(days=20),
                    scheduled_for=now - timedelta(minutes=1),
                )
            )
            session.commit()
        result = steward("rights", "run")
        assert result.exit_code == 0, result.output
    finally:
        release(engine)


def test_an_erasure_reaches_the_live_database_and_a_backup_taken_before_it(
    steward, settings, two_customers, empty_url, open_session, tmp_path
):
    victim, other, clear = two_customers
    with open_session(settings.database_url) as live:
        others_files = files_by_owner(live)
    victim_files = others_files.pop(victim, [])
    assert victim_files and others_files
    backup = tmp_path / "before-erasure.backup"
    assert steward("backup", "create", str(backup)).exit_code == 0

    erase(steward, settings, victim)

    secrets = [v for v in clear[victim] if len(v) >= 6 and v not in clear[other]]
    assert secrets
    with open_session(settings.database_url) as live:
        assert not set(values_of(live, victim)) & set(secrets)
    live_raw = raw_bytes(settings.database_url, tmp_path)
    backup_raw = backup.read_bytes()
    for value in secrets:
        assert value.encode() not in live_raw
        assert value.encode() not in backup_raw

    restored_files = tmp_path / "restored-files"
    into = ("--into", empty_url, "--files-into", str(restored_files))
    result = steward("backup", "restore", str(backup), *into)
    assert result.exit_code == 0, result.output
    assert "1 person reads as erased" in result.stdout
    assert (
        f"{len(victim_files)} file" in result.stdout
        and "of erased people left out" in result.stdout
    )
    with open_session(empty_url) as restored:
        person = restored.get(Person, victim)
        assert person is not None and person.name in (ERASED, None)
        assert person.email in (ERASED, None)
        left = values_of(restored, victim)
        assert all(v in (ERASED, None) for v in left)
        assert sorted(values_of(restored, other)) == sorted(clear[other])
        accounts = restored.scalars(select(Account).where(Account.person_id == victim)).all()
        assert all(a.status == "disabled" and a.password_hash is None for a in accounts)
        for kind, file_id in victim_files:
            assert not files.path_of(restored_files, kind, file_id).exists()
            with pytest.raises(NotFound):
                files.load(restored, restored_files, kind, file_id, victim)
        for owner, owned in others_files.items():
            for kind, file_id in owned:
                assert files.load(restored, restored_files, kind, file_id, owner)
    restored_raw = raw_bytes(empty_url, tmp_path)
    for value in secrets:
        assert value.encode() not in restored_raw
