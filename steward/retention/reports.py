"""The retention runs' reports as the privacy officer reads them (at /dpo/retention and
/api/v1/dpo/retention/runs): counts per category and action, the holds that kept
something, how long it took. No person is named in any of it."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.retention.models import RetentionRun
from steward.rights.common import require_officer


@dataclass(frozen=True)
class RunView:
    id: str
    source: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    counts: dict[str, dict[str, int]]
    held: dict[str, int]
    flagged_holds: int
    people_wiped: int

    @property
    def total(self) -> int:
        return sum(n for per in self.counts.values() for n in per.values())


def view(run: RetentionRun) -> RunView:
    return RunView(
        run.id,
        run.source,
        run.status,
        run.started_at,
        run.finished_at,
        run.duration_ms,
        json.loads(run.counts),
        json.loads(run.held),
        run.flagged_holds,
        run.people_wiped,
    )


def recent(session: Session, officer: Actor, limit: int = 20, offset: int = 0) -> list[RunView]:
    """The runs' reports, newest first: `limit` of them from `offset`."""
    require_officer(officer)
    order = (RetentionRun.started_at.desc(), RetentionRun.id)
    query = select(RetentionRun).order_by(*order).offset(offset).limit(limit)
    return [view(run) for run in session.scalars(query)]
