"""The retention sweep (T1, T3, D6): `plan` says what would go now and within 30 days,
changing nothing; `run` does it and leaves a report.

The run works table by table, children before parents, in batches of ids: each batch is
one transaction that deletes or empties its rows, so a crash (a killed worker) loses at
most the batch in flight, which the next run finds again. Nothing covered by a legal hold
in force is selected (T2). Files of deleted rows are removed after their batch commits, and
files left by a crash between the two are removed at the end of the next run. People whose
account closed long enough ago are wiped by the erasure engine, which resumes the same way.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, not_, or_, select, update
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM
from steward.core.runtime import Runtime
from steward.identity.models import Account, Person
from steward.identity.tokens import LIFETIMES
from steward.pii.mentions import Mention
from steward.policy.active import resolve
from steward.policy.schema import Policy
from steward.retention.models import LegalHold, RetentionRun
from steward.retention.rules import (
    Rule,
    TableRules,
    blank,
    person_rules,
    pointed_at,
    table_rules,
)
from steward.rights import erasure, held
from steward.rights.datamap import Holding, holding, holdings
from steward.rights.erasure_steps import unlink
from steward.rights.models import RequestFile, RightsRequest
from steward.vault import files
from steward.vault.service import Vault

BATCH = 1000
LOOKAHEAD = timedelta(days=30)
log = logging.getLogger("steward.retention")
Progress = Callable[[str, int], None]  # (what, rows done in this batch)


@dataclass(frozen=True)
class Op:
    """One thing the sweep does to one table: delete its expired rows (`rule` None) or
    empty one category's columns."""

    rules: TableRules
    rule: Rule | None

    @property
    def holding(self) -> Holding:
        return self.rules.holding

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(category, action) this op is counted under in plans and reports."""
        if self.rule is None:
            return [(r.category, "delete") for r in self.rules.rules]
        return [(self.rule.category, self.rule.action)]

    @property
    def categories(self) -> list[str]:
        return [category for category, _ in self.labels]

    def due(self, now: datetime) -> ColumnElement[bool]:
        table = self.holding.table
        if self.rule is None:
            return and_(self.rules.expired(now), *_not_pointed_at(self.holding))
        filled = or_(
            *(
                table.c[name].is_not(None) if value is None else table.c[name] != value
                for name, value in blank(self.holding, self.rule.columns).items()
            )
        )
        if self.rules.deletes_rows:  # rows the delete takes are not emptied first
            return and_(self.rule.expired(now), filled, not_(Op(self.rules, None).due(now)))
        return and_(self.rule.expired(now), filled)

    def describe(self) -> str:
        if self.rule is None:
            return f"{self.holding.name}: deleting"
        return f"{self.holding.name}: emptying {self.rule.category}"


def _not_pointed_at(holding: Holding) -> list[ColumnElement[bool]]:
    """A row that someone's kept record must point at (a device its kept telemetry needs)
    is not deleted; its personal columns are emptied by the column rules instead."""
    key = next(iter(holding.table.primary_key.columns))
    return [not_(exists(select(column).where(column == key))) for column in pointed_at(holding)]


@dataclass(frozen=True)
class RecordOp:
    """Deleting what the policy's `requests` settings time out: exports and documents past
    `download_expiry`, and requests answered longer ago than `records_kept` (their files
    first, their timeline and codes with them). Counted under the setting's name."""

    holding: Holding
    setting: str
    policy: Policy
    rule: None = None

    @property
    def labels(self) -> list[tuple[str, str]]:
        return [(self.setting, "delete")]

    @property
    def categories(self) -> list[str]:
        return sorted({resolve(self.policy, c) or c for c in self.holding.columns.values()})

    def due(self, now: datetime) -> ColumnElement[bool]:
        if self.setting == "requests.download_expiry":
            return RequestFile.expires_at <= now
        answered_long_ago = RightsRequest.completed_at <= self.policy.requests.records_kept.before(
            now
        )
        if self.holding.name == "rights_requests":
            return answered_long_ago
        return RequestFile.request_id.in_(select(RightsRequest.id).where(answered_long_ago))

    def describe(self) -> str:
        return f"{self.holding.name}: deleting ({self.setting})"


Sweep = Op | RecordOp


def operations(policy: Policy) -> list[Sweep]:
    found: list[Sweep] = []
    for rules in table_rules(policy):
        if rules.deletes_rows:
            found.append(Op(rules, None))
        found.extend(Op(rules, rule) for rule in rules.emptying())
    files, requests = holding("rights_files"), holding("rights_requests")
    found.append(RecordOp(files, "requests.download_expiry", policy))
    found.append(RecordOp(files, "requests.records_kept", policy))
    found.append(RecordOp(requests, "requests.records_kept", policy))
    return found


@dataclass
class Tally:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> action -> n
    held: dict[str, int] = field(default_factory=dict)  # hold id -> rows it kept
    people: int = 0  # people wiped
    people_held: int = 0  # people due to be wiped whom a hold keeps

    def add(self, labels: Iterable[tuple[str, str]], rows: int) -> None:
        for category, action in labels:
            per = self.counts.setdefault(category, {})
            per[action] = per.get(action, 0) + rows


def _held(op: Sweep, holds: list[LegalHold]) -> list[tuple[LegalHold, ColumnElement[bool]]]:
    found = []
    for hold in holds:
        condition = held.rows_held(hold, op.holding, op.categories)
        if condition is not None:
            found.append((hold, condition))
    return found


def _free(op: Sweep, now: datetime, holds: list[LegalHold]) -> ColumnElement[bool]:
    conditions = [c for _, c in _held(op, holds)]
    if not conditions:
        return op.due(now)
    # NULL (a row with no organisation, say) is not held: coalesce before negating
    return and_(op.due(now), not_(func.coalesce(or_(*conditions), false())))


def _count(session: Session, op: Sweep, where: ColumnElement[bool]) -> int:
    table = op.holding.table
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def _count_held(
    session: Session, op: Sweep, now: datetime, holds: list[LegalHold], into: Tally
) -> None:
    for hold, condition in _held(op, holds):
        rows = _count(session, op, and_(op.due(now), condition))
        if rows:
            into.held[hold.id] = into.held.get(hold.id, 0) + rows


def _people_due(session: Session, policy: Policy, now: datetime) -> list[str]:
    """People whose account closed and every rule on their record is over; and children
    whose guardian never consented while the link was valid (COPPA 16 CFR 312.5(c)(1))."""
    rules = person_rules(policy)
    closed = select(Person.id).where(
        Person.erased_at.is_(None),
        Person.closed_at.is_not(None),
        *(rule.expired(now, person=True) for rule in rules),
    )
    unconsented = select(Account.person_id).where(
        Account.status == "pending_guardian",
        Account.created_at <= now - LIFETIMES["guardian_consent"],
    )
    found = list(session.scalars(closed.order_by(Person.closed_at))) if rules else []
    return list(dict.fromkeys([*found, *session.scalars(unconsented)]))


@dataclass(frozen=True)
class Plan:
    now: Tally
    soon: Tally  # what else comes due within LOOKAHEAD

    def lines(self) -> list[tuple[str, str, int, int]]:
        """(category, action, rows due now, rows due within 30 days), where either is not 0."""
        keys = {(c, a) for t in (self.now, self.soon) for c, per in t.counts.items() for a in per}
        found = [
            (c, a, self.now.counts.get(c, {}).get(a, 0), self.soon.counts.get(c, {}).get(a, 0))
            for c, a in sorted(keys)
        ]
        return [line for line in found if line[2] or line[3]]

    @property
    def empty(self) -> bool:
        return not self.lines() and not self.now.people and not self.soon.people


def due_now(session: Session, policy: Policy) -> int:
    """How many rows and people a run would take now (a progress bar's total)."""
    now, holds = clock.now(), held.in_force(session)
    rows = sum(_count(session, op, _free(op, now, holds)) for op in operations(policy))
    return rows + len(_people_due(session, policy, now))


def plan(session: Session, policy: Policy) -> Plan:
    """What a run would do now and what comes due within 30 days. Changes nothing."""
    now, later = clock.now(), clock.now() + LOOKAHEAD
    holds = held.in_force(session)
    due, soon = Tally(), Tally()
    for op in operations(policy):
        current = _count(session, op, _free(op, now, holds))
        due.add(op.labels, current)
        soon.add(op.labels, _count(session, op, _free(op, later, holds)) - current)
        _count_held(session, op, now, holds, due)
    for when, tally in ((now, due), (later, soon)):
        for person_id in _people_due(session, policy, when):
            if held.person_held(session, policy, person_id):
                tally.people_held += 1
            else:
                tally.people += 1
    soon.people = max(0, soon.people - due.people)
    soon.people_held = max(0, soon.people_held - due.people_held)
    return Plan(due, soon)


def flag_expired_holds(session: Session) -> int:
    """Mark holds past their end date for review (they stay in force); returns how many
    holds in force are past their end date."""
    today = clock.today()
    past = and_(LegalHold.released_at.is_(None), LegalHold.ends_on < today)
    session.execute(
        update(LegalHold)
        .where(past, LegalHold.review_flagged_at.is_(None))
        .values(review_flagged_at=clock.now())
    )
    return int(session.scalar(select(func.count()).select_from(LegalHold).where(past)) or 0)


def _batch(
    session: Session, op: Sweep, where: ColumnElement[bool], limit: int, mentioned: bool
) -> tuple[int, list[str]]:
    """Delete or empty up to `limit` rows; returns how many and the file ids to remove.
    `mentioned`: the table's rows may name other people in `mentions`, which go too."""
    table = op.holding.table
    key = next(iter(table.primary_key.columns))
    ids = list(session.scalars(select(key).where(where).limit(limit)))
    if not ids:
        return 0, []
    if op.rule is None:
        unlink(session, table, ids)
        if mentioned:
            session.execute(
                delete(Mention).where(
                    Mention.source_table == table.name, Mention.row_id.in_([str(i) for i in ids])
                )
            )
        session.execute(delete(table).where(key.in_(ids)))
    else:
        session.execute(
            update(table).where(key.in_(ids)).values(blank(op.holding, op.rule.columns))
        )
    return len(ids), [str(i) for i in ids] if op.holding.files else []


def _start(runtime: Runtime[Vault, Policy], source: str) -> str:
    """The run's record, in a transaction of its own; a run a crash left `running` is
    marked `interrupted`, and holds past their end date are flagged."""
    with runtime.session() as session:
        session.execute(
            update(RetentionRun)
            .where(RetentionRun.status == "running")
            .values(status="interrupted")
        )
        flagged = flag_expired_holds(session)
        run = RetentionRun(
            source=source, status="running", started_at=clock.now(), flagged_holds=flagged
        )
        session.add(run)
        session.commit()
        return run.id


def _sweep_table(
    runtime: Runtime[Vault, Policy],
    op: Sweep,
    tally: Tally,
    progress: Progress | None,
    batch: int,
) -> None:
    now, kind = clock.now(), op.holding.files
    with runtime.session() as session:
        holds = held.in_force(session)
        _count_held(session, op, now, holds, tally)
        named = select(Mention.id).where(Mention.source_table == op.holding.name)
        mentioned = bool(session.scalar(select(exists(named))))  # old rows gain none meanwhile
    while True:
        with runtime.session() as session:
            # holds are read again each batch: one placed during the run is honoured at once
            where = _free(op, now, held.in_force(session))
            done, on_disk = _batch(session, op, where, batch, mentioned)
            session.commit()
        if kind is not None:
            for file_id in on_disk:
                files.remove(runtime.settings.files_dir, kind, file_id)
        if not done:
            return
        tally.add(op.labels, done)
        if progress:
            progress(op.describe(), done)


def _remove_orphan_files(runtime: Runtime[Vault, Policy]) -> None:
    """Files whose row is gone (a crash after the batch committed, before they were removed).
    Only files older than an hour: a file is written just before its row commits."""
    written_before = clock.now() - timedelta(hours=1)
    for found in holdings():
        kind = found.files
        if kind is None:
            continue
        key: Any = next(iter(found.table.primary_key.columns))
        with runtime.sessions() as session:
            stored = files.stored_ids(runtime.settings.files_dir, kind, written_before)
            for chunk in _chunks(stored, 500):
                present = set(session.scalars(select(key).where(key.in_(chunk))))
                for file_id in set(chunk) - {str(p) for p in present}:
                    files.remove(runtime.settings.files_dir, kind, file_id)


def _chunks(items: Iterable[str], size: int) -> Iterable[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(
    runtime: Runtime[Vault, Policy],
    *,
    source: str = "cli",
    progress: Progress | None = None,
    batch: int = BATCH,
) -> RetentionRun:
    """Sweep everything due now; returns the run's report (also stored, and audited)."""
    started = time.monotonic()
    run_id = _start(runtime, source)
    tally = Tally()
    try:
        for op in operations(runtime.policy):
            _sweep_table(runtime, op, tally, progress, batch)
        _wipe_closed(runtime, tally, progress, batch)
        _remove_orphan_files(runtime)
    except Exception as error:
        _finish(runtime, run_id, tally, started, type(error).__name__)
        raise
    return _finish(runtime, run_id, tally, started, None)


def _wipe_closed(
    runtime: Runtime[Vault, Policy],
    tally: Tally,
    progress: Progress | None,
    batch: int,
) -> None:
    with runtime.session() as session:
        due = _people_due(session, runtime.policy, clock.now())
        waiting = {p for p in due if held.person_held(session, runtime.policy, p)}
    tally.people_held += len(waiting)
    for person_id in due:
        if person_id in waiting:
            continue
        erasure.wipe_person(runtime, person_id, batch=batch)
        tally.people += 1
        if progress:
            progress("people: wiping", 1)


def _finish(
    runtime: Runtime[Vault, Policy],
    run_id: str,
    tally: Tally,
    started: float,
    error: str | None,
) -> RetentionRun:
    with runtime.session() as session:
        run = session.get_one(RetentionRun, run_id)
        run.status = "failed" if error else "done"
        run.error = error
        run.finished_at = clock.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.counts = json.dumps(tally.counts, sort_keys=True)
        run.held = json.dumps(tally.held, sort_keys=True)
        run.people_wiped = tally.people
        record(
            session,
            SYSTEM,
            "retention_run",
            purpose="retention",
            categories=sorted(tally.counts),
            outcome="allowed" if error is None else "failed",
        )
        session.commit()
        session.refresh(run)
        session.expunge(run)
    log.info("retention run %s %s", run_id, run.status)
    return run
