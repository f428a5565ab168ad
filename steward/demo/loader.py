"""Demo data: a living service desk for the business the active policy describes.

`load` writes organisations, people, accounts, tickets with conversations, calls with
recordings, remote sessions, devices with telemetry, service records, schedules, billing and
warranty claims straight through the models, spread over the last four years so that
retention has work to do. It speaks the policy's trade (trades.py: printers and toner for a
managed-print business, generators for a generator dealer, ...) and writes only the
categories the policy holds: a business that keeps no device inventory gets no devices. It is a bulk load by the operator, not anyone's use of personal
data: one audit entry (`demo_loaded`) records it instead of a gate check per row. Sealed
columns are encrypted at flush as everywhere else. Everything but ids, timestamps relative
to now, MFA secrets and the password follows from the seed.
"""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core.actor import SYSTEM
from steward.core.errors import Invalid
from steward.demo.base import PHASES, DemoAccount, DemoResult, _categories
from steward.demo.billing import _BillingPhases
from steward.demo.devices import _DevicePhases
from steward.demo.people import _PeoplePhases
from steward.demo.work import _WorkPhases
from steward.desk.models import Ticket
from steward.vault import files

__all__ = ["PHASES", "DemoAccount", "DemoResult", "holds_tickets", "load"]


def holds_tickets(session: Session) -> bool:
    return session.scalar(select(Ticket.id).limit(1)) is not None


def load(
    session: Session,
    files_dir: Path,
    *,
    people: int = 60,
    seed: int = 1,
    on_phase: Callable[[str], None] | None = None,
) -> DemoResult:
    """Fill the desk with about `people` customers' worth of data. Commits. Files written
    before a failure are removed again, so a failed load leaves nothing behind."""
    if people < 1:
        raise Invalid("Ask for at least 1 person.")
    builder = _Builder(session, files_dir, people, seed)
    try:
        result = builder.run(on_phase or (lambda _phase: None))
        session.commit()
    except BaseException:
        session.rollback()
        for kind, file_id in builder.stored:
            files.remove(files_dir, kind, file_id)
        raise
    return result


class _Builder(_PeoplePhases, _DevicePhases, _WorkPhases, _BillingPhases):
    """One load: the generated business kept as light records, written in batches."""

    def run(self, on_phase: Callable[[str], None]) -> DemoResult:
        steps = (
            self.staff,
            self.organisations,
            self.devices,
            self.tickets_and_messages,
            self.calls,
            self.remote_sessions,
            self.service,
            self.billing_records,
            self.claims_and_preferences,
        )
        for phase, step in zip(PHASES, steps, strict=True):
            on_phase(phase)
            step()
        record(
            self.session,
            SYSTEM,
            "demo_loaded",
            purpose="essential.service",
            categories=_categories(self.counts, self.holds),
        )
        return DemoResult(
            counts=self.counts,
            password=self.password,
            accounts=self.accounts,
            trade=self.trade.name,
        )
