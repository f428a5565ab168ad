"""What an erasure does with each table of the data map, decided from the map and the policy.

Every holding gets exactly one step, the one its model declares in `__erasure__` or else
`keep` or `delete`: `tombstone` (people, accounts: the row stays so foreign
keys hold, its personal columns are emptied), `keep` (a column the law requires keeping:
the row stays and is re-sealed under a new key, its other personal columns emptied),
`delete` (the person's rows go, in batches of ids), `request` (the person's rights
requests: the record stays, the contact details go) or `request_files` (exports and
documents of those requests go). A table the engine cannot place, or a personal column it
cannot empty, stops the plan with a clear error: an erasure never skips data silently.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Table

from steward.core.db import Base
from steward.policy.active import resolve
from steward.policy.checks import kept_on_erasure
from steward.policy.schema import Policy
from steward.rights.datamap import Holding, MapIncomplete, holdings


@dataclass(frozen=True)
class Step:
    holding: Holding
    mode: str  # tombstone, keep, delete, request, request_files
    kept: frozenset[str]  # the declared columns kept (mode keep)

    @property
    def table(self) -> Table:
        return self.holding.table

    @property
    def selector(self) -> Column[Any]:
        """The column naming the person whose rows these are."""
        if self.mode == "request_files":
            return self.table.c["request_id"]
        return self.holding.subject_column()

    @property
    def emptied(self) -> list[str]:
        return [c for c in self.holding.columns if c not in self.kept]


def is_kept(policy: Policy, category: str) -> bool:
    held = resolve(policy, category)
    kept = kept_on_erasure(policy)
    return held is not None and any(held == k or held.startswith(k + ".") for k in kept)


def _must_empty(holding: Holding, columns: list[str]) -> None:
    for name in columns:
        if not holding.table.c[name].nullable:
            raise MapIncomplete(
                f"{holding.name}.{name} is personal data the erasure cannot empty (not nullable)"
            )


def plan(policy: Policy) -> list[Step]:
    """The steps, children before parents, so deleting a row never strands a child."""
    steps = []
    for holding in holdings():
        kept = frozenset(c for c, cat in holding.columns.items() if is_kept(policy, cat))
        if holding.erasure is not None:
            mode = holding.erasure
            if mode not in ("tombstone", "request", "request_files"):
                raise MapIncomplete(f"{holding.name} declares an unknown erasure '{mode}'")
        elif holding.subject is None or holding.subject != holding.owner:
            raise MapIncomplete(
                f"{holding.name}: the erasure does not know how to find a person's rows"
            )
        elif kept:
            mode = "keep"
        else:
            mode = "delete"
        step = Step(holding, mode, kept if mode in ("keep", "tombstone") else frozenset())
        if mode in ("tombstone", "keep", "request"):
            _must_empty(holding, step.emptied)
        steps.append(step)
    return list(reversed(steps))


@cache
def referencing(table: Table) -> list[tuple[Table, Column[Any]]]:
    """Every column in the schema holding a foreign key to `table` (the schema is fixed at
    import, so it is worked out once per table)."""
    found = []
    for other in Base.metadata.sorted_tables:
        for column in other.columns:
            if any(fk.column.table is table for fk in column.foreign_keys):
                found.append((other, column))
    return found


def declared_tables() -> frozenset[str]:
    return frozenset(h.name for h in holdings())
