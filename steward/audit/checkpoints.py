"""Signed checkpoints of the chain: written to the database and appended, as a JSON line,
to a file outside it (`STEWARD_AUDIT_CHECKPOINTS`, which the operator ships elsewhere); the
newest line also goes to the privacy officer in the daily digest.

A checkpoint is signed only over a trail that verifies, so each one vouches for a checked
chain. The line is appended after the database commits: a crash between the two leaves a
checkpoint without its outside copy (the next one covers it), never an outside line the
database lacks, which `verify` would report as a removed checkpoint.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from steward.audit.chain import checkpoint_line, checkpoint_message, signer
from steward.audit.models import CHECKPOINTS, AuditCheckpoint
from steward.audit.sequencer import sequence
from steward.audit.verify import verify
from steward.core import clock
from steward.core.db import transaction
from steward.core.errors import Conflict, DomainError


class AuditBroken(DomainError):
    status = 409
    title = "Audit trail broken"


@dataclass(frozen=True)
class Checkpoint:
    id: int
    seq: int
    link: str
    signature: str
    at: datetime

    @property
    def line(self) -> str:
        """The JSON line kept outside the database: seq, link, time, signature."""
        return checkpoint_line(self.seq, self.link, self.at, self.signature)


def write_checkpoint(
    factory: sessionmaker[Session],
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
    *,
    outside: Path | None = None,
) -> Checkpoint:
    """Link what is pending, verify the trail since the newest good checkpoint, sign its
    head, then append the checkpoint's line to `outside`.

    Refuses (AuditBroken) to sign a broken trail; refuses (Conflict) an empty one."""
    bind = factory.kw["bind"]
    if isinstance(bind, Engine):
        sequence(bind, signing_seed)
    with transaction(factory) as session:
        result = verify(session, signing_seed, progress, outside=outside)
        if result.problem is not None:
            raise AuditBroken(f"not signing: audit trail broken at seq {result.problem}")
        if result.head_seq == 0:
            raise Conflict("the audit trail is empty: there is nothing to sign yet")
        at = clock.now()
        message = checkpoint_message(result.head_seq, result.head_link, at)
        row = AuditCheckpoint(
            seq=result.head_seq,
            link=result.head_link,
            signature=signer(signing_seed).sign(message).hex(),
            at=at,
            scheme=2,
        )
        session.add(row)
        session.flush()
        written = Checkpoint(row.id, row.seq, row.link, row.signature, row.at)
    if outside is not None:
        _append(outside, written.line)
    return written


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())


def newest(session: Session) -> Checkpoint | None:
    """The newest checkpoint of the keyed chain, for the digest."""
    row = session.execute(
        select(CHECKPOINTS)
        .where(CHECKPOINTS.c.scheme == 2)
        .order_by(CHECKPOINTS.c.id.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else Checkpoint(row.id, row.seq, row.link, row.signature, row.at)
