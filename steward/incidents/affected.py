"""The frozen list of the people an incident affected, kept apart from the register.

Stored in parts of up to PART people, each part JSON lines sealed under the incident's own
data key (a vault key whose owner id is the incident's id), so the list is readable only
through the vault and is gone with that key. The register keeps the counts in clear.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.incidents.models import IncidentAffected
from steward.vault.service import Vault

PART = 1000
_CONTEXT = "incident_affected.sealed"


@dataclass(frozen=True)
class Affected:
    person_id: str
    categories: tuple[str, ...]  # policy category keys of theirs the incident reached
    jurisdiction: str | None  # a policy jurisdiction key, None when not known
    records: int  # rows of theirs involved


def store(session: Session, vault: Vault, incident_id: str, people: Iterable[Affected]) -> int:
    """Replace the incident's list with `people`; returns how many were stored."""
    session.execute(delete(IncidentAffected).where(IncidentAffected.incident_id == incident_id))
    stored, part, rows = 0, 0, iter(people)
    while chunk := list(islice(rows, PART)):
        lines = "\n".join(
            json.dumps([a.person_id, list(a.categories), a.jurisdiction, a.records]) for a in chunk
        )
        sealed = vault.seal(session, incident_id, f"{_CONTEXT}.{part}", lines)
        session.add(
            IncidentAffected(incident_id=incident_id, part=part, people=len(chunk), sealed=sealed)
        )
        stored, part = stored + len(chunk), part + 1
    return stored


def read(session: Session, vault: Vault, incident_id: str) -> Iterator[Affected]:
    """The incident's list, part by part; nothing once its key is destroyed."""
    parts = session.scalars(
        select(IncidentAffected)
        .where(IncidentAffected.incident_id == incident_id)
        .order_by(IncidentAffected.part)
    )
    for row in parts:
        clear = vault.open_bytes(session, incident_id, f"{_CONTEXT}.{row.part}", row.sealed)
        if clear is None:
            return
        for line in clear.decode().splitlines():
            person_id, categories, jurisdiction, records = json.loads(line)
            yield Affected(person_id, tuple(categories), jurisdiction, records)
