"""Publishing a new version of the policy (C4): check it, say what changed against the
active policy, put it in place of the active file atomically, and record the version with
its change summary, whether the change is material and when it was published.

Telling account holders is identity's part (steward.identity.policy_notices); the CLI calls
both. Running servers and workers take the new version from the database within a second
(core.shared).
"""

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock, shared
from steward.core.db import transaction
from steward.core.errors import Invalid
from steward.policy.diff import Change, diff
from steward.policy.loader import PolicyInvalid
from steward.policy.models import PolicyVersion
from steward.policy.service import ActivePolicy, read_active, record_version


@dataclass(frozen=True)
class Publication:
    version_id: str
    version: str
    published_at: datetime
    changes: list[Change]
    material: bool
    summary: str
    previous: str | None  # the version it replaced, None when there was no valid active file


def summary_of(changes: list[Change]) -> str:
    """One line per change, material ones marked, as shown to people and mailed to them."""
    if not changes:
        return "No change to how we process personal data; wording only."
    return "\n".join(
        f"{'[material] ' if c.material else ''}{c.area}: {c.description}" for c in changes
    )


def _active_or_none(path: Path) -> ActivePolicy | None:
    if not path.exists():
        return None
    try:
        return read_active(path)
    except PolicyInvalid:
        return None


def _replace(target: Path, text: str) -> None:
    """Write next to the target and rename over it: readers see the old file or the new."""
    handle, temporary = tempfile.mkstemp(prefix=".policy-", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(factory: sessionmaker[Session], active_path: Path, new_file: Path) -> Publication:
    """Publish `new_file` as the active policy. Raises PolicyInvalid listing its problems, or
    Invalid when it is the active text already or keeps the active version number."""
    new = read_active(new_file)
    old = _active_or_none(active_path)
    if old is not None and old.sha256 == new.sha256:
        raise Invalid(f"{new_file} is the active policy already: there is nothing to publish.")
    if old is not None and old.policy.version == new.policy.version:
        raise Invalid(
            f"{new_file} keeps version {new.policy.version}: give the new text a new version, "
            "so every acceptance and consent names the text it was given for."
        )
    changes = diff(old.policy, new.policy) if old is not None else []
    material = any(c.material for c in changes)
    summary = summary_of(changes)
    if old is not None:
        record_version(factory, old)  # the version it replaces stays in the history
    _replace(active_path, new.source)
    recorded = record_version(factory, new)
    published_at = clock.now()
    with transaction(factory) as session:
        row = session.get(PolicyVersion, recorded.id)
        if row is None:  # pragma: no cover - recorded just above
            raise Invalid("The new version could not be recorded.")
        row.summary, row.material, row.published_at = summary, material, published_at
        shared.announce(session, shared.POLICY, new.sha256)
    return Publication(
        recorded.id,
        new.policy.version,
        published_at,
        changes,
        material,
        summary,
        old.policy.version if old is not None else None,
    )


def mark_notified(factory: sessionmaker[Session], version_id: str) -> None:
    with transaction(factory) as session:
        row = session.get(PolicyVersion, version_id)
        if row is not None:
            row.notified_at = clock.now()


def published(session: Session) -> list[PolicyVersion]:
    """Every version recorded, newest first (by publication, else by when first run)."""
    rows = list(session.scalars(select(PolicyVersion)))
    return sorted(rows, key=lambda r: r.published_at or r.recorded_at, reverse=True)


def consent_versions(session: Session, active_sha256: str) -> list[str]:
    """The versions under which a cookie choice still holds now: the active one and each
    before it back to the last material change (included). A version recorded without
    being published (the file edited by hand) counts as material: nobody said otherwise."""
    held: list[str] = []
    query = select(
        PolicyVersion.version,
        PolicyVersion.sha256,
        PolicyVersion.material,
        PolicyVersion.published_at,
        PolicyVersion.recorded_at,
    )
    rows = sorted(session.execute(query), key=lambda r: r.published_at or r.recorded_at)[::-1]
    active = next((i for i, r in enumerate(rows) if r.sha256 == active_sha256), None)
    for row in rows[active:] if active is not None else []:
        if row.version not in held:
            held.append(row.version)
        if row.material is not False:
            break
    return held


def version_by_sha(session: Session, sha256: str) -> PolicyVersion | None:
    return session.scalar(select(PolicyVersion).where(PolicyVersion.sha256 == sha256))
