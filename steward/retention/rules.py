"""Retention rules, read from the policy and the data map, never listed here.

Every declared column falls under a policy category, and the category's `retention` says how
long (period), from when (trigger) and what then (action). For one table:

- each category's columns are emptied once its own period is over (`empty`);
- the row itself is deleted once every category it holds is over and each says `delete`,
  unless the model keeps its rows as a record (`__keeps_rows__`: the consent ledger);
  a category that says `anonymise` keeps the row with what is not personal (an invoice's
  totals and dates) and only its columns emptied.

People and accounts are the person's record itself: once every rule on them is over, the
person is wiped by the erasure engine (everything, what the law keeps re-sealed under a new
key), not emptied column by column. Rights requests and their files follow the policy's
`requests` settings (`download_expiry`, `records_kept`): see sweep.RecordOp.

A trigger becomes a timestamp per row (its anchor): `created` the table's `__created__`
column (default `created_at`); `last_activity` its `last_activity_at`, else its ticket's,
else `updated_at`, else created; `account_closure` the person's `closed_at`;
`contract_end` the organisation's contract end (the row's own organisation, or every
organisation the person belongs to, all ended), for a person without one their closure.
A row whose starting moment is unknown (an open account, a live contract) never expires.
Each is written as an indexed comparison or a semi-join (`ticket_id IN (quiet tickets)`),
so a batch's SELECT is a range scan, not a subquery per row.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, literal, or_, select

from steward.core.db import UTCDateTime
from steward.identity.models import Person
from steward.policy.active import resolve
from steward.policy.schema import Policy, Retention
from steward.rights.datamap import Holding, MapIncomplete, declaring, holdings
from steward.rights.erasure_plan import referencing

PERSON_TABLES = ("people", "accounts")
RIGHTS_TABLES = frozenset({"rights_requests", "rights_files"})
_OPEN = datetime(9999, 1, 1, tzinfo=UTC)  # a live contract: later than any cut-off


@dataclass(frozen=True)
class Rule:
    """One category's retention on one table: the columns it covers and when they expire."""

    holding: Holding
    category: str
    retention: Retention
    columns: tuple[str, ...]

    @property
    def action(self) -> str:
        return self.retention.action

    def expired(self, now: datetime, person: bool = False) -> ColumnElement[bool]:
        """Rows of this table past the period; with `person`, people whose own record is."""
        cutoff = self.retention.period.before(now)
        return _person_past(self, cutoff) if person else _past(self, cutoff)


@dataclass(frozen=True)
class TableRules:
    holding: Holding
    rules: tuple[Rule, ...]

    @property
    def deletes_rows(self) -> bool:
        """Whether rows go; a record kept as proof (`__keeps_rows__`) only loses its data."""
        if getattr(self.holding.model, "__keeps_rows__", False):
            return False
        return all(rule.action == "delete" for rule in self.rules)

    def expired(self, now: datetime) -> ColumnElement[bool]:
        return and_(*(rule.expired(now) for rule in self.rules))

    def emptying(self) -> tuple[Rule, ...]:
        """The rules whose columns are emptied, not deleted with the row: all of them when
        the row stays (anonymise) or may have to (something kept points at it), a rule
        that ends before the row's last one."""
        if not self.deletes_rows or len(self.rules) > 1 or pointed_at(self.holding):
            return self.rules
        return ()


def _by_category(policy: Policy, holding: Holding) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for column, declared in holding.columns.items():
        key = resolve(policy, declared)
        if key is not None:  # undeclared by this policy: the gate lets none be written
            found.setdefault(key, []).append(column)
    return found


def _rules(policy: Policy, holding: Holding) -> tuple[Rule, ...]:
    return tuple(
        Rule(holding, key, policy.categories[key].retention, tuple(columns))
        for key, columns in sorted(_by_category(policy, holding).items())
    )


def table_rules(policy: Policy) -> list[TableRules]:
    """Every swept table's rules, children before parents (a row goes before what it points
    at). Fails closed on a column a rule would have to empty and cannot."""
    found = []
    for holding in reversed(holdings()):
        if holding.name in PERSON_TABLES or holding.name in RIGHTS_TABLES:
            continue
        rules = _rules(policy, holding)
        if rules:
            table = TableRules(holding, rules)
            for rule in table.emptying():
                blank(holding, rule.columns)  # fails closed now, before anything is touched
            found.append(table)
    return found


def pointed_at(holding: Holding) -> list[Any]:
    """Required columns of other declared tables pointing at this table's rows: a row they
    point at cannot be deleted while they stay."""
    return _pointed_at(holding.table)


@cache
def _pointed_at(table: Table) -> list[Any]:
    declared = {h.name for h in holdings()}
    return [
        column
        for other, column in referencing(table)
        if other is not table and other.name in declared and not column.nullable
    ]


def blank(holding: Holding, columns: tuple[str, ...]) -> dict[str, Any]:
    """The values that empty `columns`: NULL, or for a required setting its default (a
    default says nothing about the person)."""
    values: dict[str, Any] = {}
    for name in columns:
        column = holding.table.c[name]
        default = getattr(column.default, "arg", None)
        if column.nullable:
            values[name] = None
        elif default is not None and not callable(default):
            values[name] = default
        else:
            raise MapIncomplete(
                f"{holding.name}.{name} is personal data retention cannot empty "
                "(required, without a default)"
            )
    return values


def person_rules(policy: Policy) -> tuple[Rule, ...]:
    """The rules on the person's record itself; the person is wiped once all are over."""
    return tuple(
        rule
        for holding in holdings()
        if holding.name in PERSON_TABLES
        for rule in _rules(policy, holding)
    )


def _created(holding: Holding) -> Any:
    name = getattr(holding.model, "__created__", "created_at")
    if name not in holding.table.c:
        raise MapIncomplete(f"{holding.name} names no column its retention starts from")
    return holding.table.c[name]


def _contracts() -> tuple[Any, Any]:
    """The table whose rows end a contract (`__contract_end__`) and that column."""
    (model,) = declaring("__contract_end__")
    return model.__table__, model.__table__.c[model.__contract_end__]


def _member_end(person: Any) -> Any:
    """When the last of the person's organisations' contracts ended; far in the future while
    one is live; NULL for a person in no organisation."""
    contracts, ended = _contracts()
    (key,) = contracts.primary_key.columns
    (members,) = [
        m
        for m in declaring("__members_of__")
        if any(fk.column is key for fk in m.__table__.c[m.__members_of__].foreign_keys)
    ]
    group = members.__table__.c[members.__members_of__]
    member = members.__table__.c[getattr(members, "__subject__", members.__owner__)]
    return (
        select(func.max(func.coalesce(ended, literal(_OPEN, UTCDateTime()))))
        .join(members.__table__, group == key)
        .where(member == person)
        .scalar_subquery()
    )


def _thread(table: Any) -> tuple[Any, Any, Any] | None:
    """The column of `table` naming a row whose activity it follows (`__activity__`: a
    message follows its ticket), that row's key and its activity column."""
    for model in declaring("__activity__"):
        (key,) = model.__table__.primary_key.columns
        for column in table.columns:
            if table is not model.__table__ and any(fk.column is key for fk in column.foreign_keys):
                return column, key, model.__table__.c[model.__activity__]
    return None


def _closed_by(cutoff: datetime) -> Any:
    return select(Person.id).where(Person.closed_at <= cutoff)


def _quiet_since(holding: Holding, cutoff: datetime) -> ColumnElement[bool]:
    """last_activity: the row's own, else its ticket's (a thread goes whole), else its
    last change, else its creation."""
    table = holding.table
    if "last_activity_at" in table.c:
        return table.c.last_activity_at <= cutoff
    thread = _thread(table)
    if thread is not None:  # a semi-join on the tickets' index, not a subquery per row
        column, key, activity = thread
        quiet: ColumnElement[bool] = column.in_(select(key).where(activity <= cutoff))
        if not column.nullable:
            return quiet
        return or_(quiet, and_(column.is_(None), _created(holding) <= cutoff))
    if "updated_at" in table.c:
        return table.c.updated_at <= cutoff
    created: ColumnElement[bool] = _created(holding) <= cutoff
    return created


def _past(rule: Rule, cutoff: datetime) -> ColumnElement[bool]:
    """Rows of the rule's table whose period, run from its trigger, started by `cutoff`."""
    holding, trigger = rule.holding, rule.retention.trigger
    if trigger == "created":
        condition: ColumnElement[bool] = _created(holding) <= cutoff
        return condition
    if trigger == "last_activity":
        return _quiet_since(holding, cutoff)
    if holding.subject is None:
        raise MapIncomplete(f"{holding.name} names no person its retention runs for")
    subject = holding.subject_column()
    if trigger == "account_closure":
        return subject.in_(_closed_by(cutoff))
    contracts, contract_end = _contracts()
    own = select(contract_end).where(next(iter(contracts.primary_key.columns)) == subject)
    ended = func.coalesce(own.scalar_subquery(), _member_end(subject))
    return or_(ended <= cutoff, and_(ended.is_(None), subject.in_(_closed_by(cutoff))))


def _person_past(rule: Rule, cutoff: datetime) -> ColumnElement[bool]:
    """The same for the person's own record, read from people whatever table the rule is on."""
    trigger = rule.retention.trigger
    if trigger == "account_closure":
        return Person.closed_at <= cutoff
    if trigger == "contract_end":
        return func.coalesce(_member_end(Person.id), Person.closed_at) <= cutoff
    return (Person.created_at if trigger == "created" else Person.updated_at) <= cutoff
