"""Loading the active policy and recording each version Steward has run under."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.db import transaction
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.policy.loader import parse_policy, read_source
from steward.policy.models import PolicyVersion
from steward.policy.schema import Policy


@dataclass(frozen=True)
class ActivePolicy:
    policy: Policy
    sha256: str
    source: str


def read_active(path: Path) -> ActivePolicy:
    """Read and validate the policy file; raises PolicyInvalid listing every problem."""
    text = read_source(path)
    policy = parse_policy(text, str(path))
    return ActivePolicy(policy, hashlib.sha256(text.encode()).hexdigest(), text)


def recorded(factory: sessionmaker[Session], sha256: str) -> ActivePolicy:
    """A version from the database: the one another process published (core.shared)."""
    with factory() as session:
        row = session.scalar(select(PolicyVersion).where(PolicyVersion.sha256 == sha256))
    if row is None:
        raise Invalid(f"no policy version {sha256[:12]} is recorded")
    return ActivePolicy(parse_policy(row.source, f"policy {row.version}"), row.sha256, row.source)


def record_version(factory: sessionmaker[Session], active: ActivePolicy) -> PolicyVersion:
    """Keep this exact policy text, once, so every version ever in force can be shown later."""
    with transaction(factory) as session:
        existing = session.scalar(
            select(PolicyVersion).where(PolicyVersion.sha256 == active.sha256)
        )
        if existing is not None:
            return existing
        row = PolicyVersion(
            id=new_id(),
            version=active.policy.version,
            effective_date=active.policy.effective_date,
            sha256=active.sha256,
            source=active.source,
            recorded_at=clock.now(),
        )
        session.add(row)
        return row
