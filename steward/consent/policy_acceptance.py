"""Accepting a materially changed policy (C4): whether a person still has to, and recording
that they did.

When the active policy version was published as material, a signed-in person who has no
consent event for purpose "policy" under that version is asked to accept it before using
the portal or the desk (pages only: the API answers as usual). Accepting is a ledger event:
purpose "policy", method "form", the policy version and the SHA-256 of the policy text.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.consent import ledger
from steward.consent.models import ConsentEvent
from steward.policy.models import PolicyVersion

PURPOSE = "policy"


def pending(session: Session, person_id: str, sha256: str) -> PolicyVersion | None:
    """The active version (by the SHA-256 of its text) when it is material and this person
    has not accepted it; None otherwise. Two indexed look-ups."""
    version = session.scalar(select(PolicyVersion).where(PolicyVersion.sha256 == sha256))
    if version is None or not version.material or version.published_at is None:
        return None
    accepted = session.scalar(
        select(ConsentEvent.id)
        .where(
            ConsentEvent.owner_id == person_id,
            ConsentEvent.purpose == PURPOSE,
            ConsentEvent.policy_version == version.version,
            ConsentEvent.choice == "given",
        )
        .limit(1)
    )
    return None if accepted is not None else version


def accept(session: Session, person_id: str, version: PolicyVersion, ip: str | None) -> None:
    """Record that the person accepted this version of the policy text. Commits."""
    ledger.record(
        session,
        owner=person_id,
        person_id=person_id,
        choices={PURPOSE: True},
        method="form",
        policy_version=version.version,
        text_sha256=version.sha256,
        ip=ip,
    )
