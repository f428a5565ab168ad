"""The business transfer's archive (S4): seconds to write and to verify it for the demo desk
of `--people` customers, a tenth of them left out, beside a plain dump of the same tables
(every row as a JSON line, uncompressed, unencrypted, nobody left out: the raw baseline),
and the most memory Python held while writing it (rows stream; only ids left out are kept).

SQLite (a temporary file). Run: .venv/bin/python bench/transfer.py [--people N]
"""

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from kit import settings_in  # bench/kit.py, beside this script
from sqlalchemy import Engine, select

import steward.models  # noqa: F401  (every table, as the CLI loads them)
from steward.audit.service import use_key
from steward.backup.rows import backed_up_tables, encoder, kind_of
from steward.core.db import make_engine, make_sessionmaker, release, upgrade
from steward.core.runtime import Runtime
from steward.demo.loader import load
from steward.identity.models import Person
from steward.policy.service import read_active
from steward.transfer import archive
from steward.vault.keyring import Keyring
from steward.vault.service import Vault


def plain_dump(engine: Engine, path: Path) -> int:
    """Every row of every table as a JSON line: what the archive costs is measured against."""
    rows = 0
    with engine.connect() as connection, path.open("w") as out:
        for table in backed_up_tables():
            encode = encoder([kind_of(c) for c in table.columns])
            for row in connection.execution_options(yield_per=1000).execute(select(table)):
                out.write(json.dumps(encode(row)) + "\n")
                rows += 1
    return rows


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(people: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        keyring = Keyring.generate()
        settings = settings_in(here, f"sqlite:///{here / 'steward.db'}", keyring)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        use_key(engine, keyring.signing_key)
        runtime = Runtime(
            make_sessionmaker(engine), Vault(keyring), settings, read_active(settings.policy).policy
        )
        with runtime.session() as session:
            load(session, settings.files_dir, people=people, seed=1)
            ids = list(session.scalars(select(Person.id).order_by(Person.id)))
        left_out = set(ids[::10])
        private, public = archive.new_key_pair()
        recipient = archive.load_public_key(public)
        target = here / "northwind.archive"

        def write() -> None:
            target.unlink(missing_ok=True)
            archive.write(
                engine, keyring, recipient, "Northwind", left_out, target, settings.files_dir
            )

        rows = 0

        def dump() -> None:
            nonlocal rows
            rows = plain_dump(engine, here / "dump.jsonl")

        baseline = timed(dump)
        made = timed(write)
        checked = timed(lambda: archive.verify(target, private))
        tracemalloc.start()
        write()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        size = target.stat().st_size / (1 << 20)
        dumped = (here / "dump.jsonl").stat().st_size / (1 << 20)
        release(engine)
    print(f"SQLite: {len(ids)} people ({len(left_out)} left out), {rows} rows")
    print(f"  plain dump (baseline) {baseline:7.2f} s  {dumped:7.1f} MB")
    print(
        f"  archive write         {made:7.2f} s  {size:7.1f} MB  ({made / baseline:.2f}x the dump)"
    )
    print(f"  archive verify        {checked:7.2f} s  (every sealed value and file opened)")
    print(f"  write's peak Python memory {peak / (1 << 20):.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    run(parser.parse_args().people)
