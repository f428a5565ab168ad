"""The privacy officer's review of an access export before it is released (GDPR Art. 15(4)).

The review shows what the export would hold (rows per table and per category) and the items
that name other people: a row written by or naming someone else (a staff reply or note, a
call an agent took, a ticket a colleague opened about the person, their message on someone
else's ticket). The officer may withhold an item with one of the recorded reasons; the
export then leaves it out and its report lists it by kind and reason, never its content.
The review and each withholding are audited under the rights purpose, and each withholding
is a step of the request's timeline (note: "table:row:reason", ids and a fixed key only).

`WithholdIn` and `IncludeIn` are what the officer sends, to the API and on the request's page
alike.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, check
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.identity.common import state_of
from steward.identity.models import Account, Person
from steward.policy.active import policy_of, resolve
from steward.rights import report
from steward.rights.common import event, get_request, require_officer
from steward.rights.datamap import Holding, holdings, paths
from steward.rights.models import RequestEvent, RightsRequest

ACCESS_KINDS = ("access", "ccpa_know")
REASONS = {
    "others_data": "It would reveal another person's personal data.",
    "others_rights": "It would harm the rights of others (for example a confidential "
    "assessment or a trade secret).",
}
STEP = "withheld"
INCLUDED = "included"  # a withholding undone: the item is in the export again
REVIEWED = "reviewed"


class WithholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=3, max_length=100)
    reason: Literal["others_data", "others_rights"]


class IncludeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=3, max_length=100)


@dataclass(frozen=True)
class Item:
    """A row of the export that names someone else."""

    item: str  # "table:row id", what the officer withholds
    kind: str  # in plain words: "a staff reply", "a call record"
    names: list[str]  # who else it names, by role: "an agent", "another person"
    preview: str  # the start of its text, for the officer only
    withheld: str | None = None  # the reason key, once withheld


@dataclass(frozen=True)
class Review:
    reference: str
    tables: dict[str, int]
    categories: dict[str, int]
    items: list[Item] = field(default_factory=list)
    withheld: int = 0


@dataclass(frozen=True)
class Withheld:
    table: str
    row_id: str
    reason: str

    @property
    def kind(self) -> str:
        return report.table_words(self.table)

    @property
    def reason_words(self) -> str:
        return REASONS.get(self.reason, self.reason)


def withheld(session: Session, request_id: str) -> list[Withheld]:
    """What the officer withheld from this request's export (and did not include again)."""
    steps = session.execute(
        select(RequestEvent.step, RequestEvent.note)
        .where(RequestEvent.request_id == request_id, RequestEvent.step.in_((STEP, INCLUDED)))
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    found: dict[tuple[str, str], Withheld] = {}
    for step, note in steps:
        table, row_id, reason = (note or "::").split(":", 2)
        if step == STEP:
            found[(table, row_id)] = Withheld(table, row_id, reason)
        else:
            found.pop((table, row_id), None)
    return list(found.values())


def _access_request(session: Session, officer: Actor, request_id: str) -> RightsRequest:
    require_officer(officer)
    request = get_request(session, request_id)
    if request.kind not in ACCESS_KINDS:
        raise Invalid("Only an access request's export is reviewed.")
    if request.status != "open" or request.person_id is None:
        raise Conflict("Only an open, verified request about someone we hold data on is reviewed.")
    return request


def _others(
    session: Session, person_id: str, found: list[tuple[Holding, Any, str]]
) -> dict[tuple[str, str], list[str]]:
    """Who else each row names: (table, row id) -> ["an agent", "another person"]."""
    refs: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for holding, row, _how in found:
        key = str(getattr(row, _key(holding)))
        for column in holding.table.columns:
            value = getattr(row, column.key, None)
            if not isinstance(value, str) or value == person_id:
                continue
            targets = {fk.column.table.name for fk in column.foreign_keys}
            if column.key == holding.owner and column.key != holding.subject:
                targets.add("people")  # an owner that may be another person (or a business)
            for target in targets & {"people", "accounts"}:
                refs.setdefault((holding.name, key), set()).add((target, value))
    people_ids = {v for found_refs in refs.values() for t, v in found_refs if t == "people"}
    account_ids = {v for found_refs in refs.values() for t, v in found_refs if t == "accounts"}
    role_of_account = {
        account: role
        for account, role in session.execute(
            select(Account.id, Account.role).where(Account.id.in_(account_ids))
        )
    }
    role_of_person: dict[str, str] = dict.fromkeys(
        session.scalars(select(Person.id).where(Person.id.in_(people_ids))), "customer"
    )
    for person, role in session.execute(
        select(Account.person_id, Account.role).where(Account.person_id.in_(people_ids))
    ):
        if role != "customer":
            role_of_person[person] = role
    own = set(session.scalars(select(Account.id).where(Account.person_id == person_id)))
    named: dict[tuple[str, str], list[str]] = {}
    for place, found_refs in refs.items():
        words = set()
        for target, value in found_refs:
            if target == "accounts" and value not in own and value in role_of_account:
                words.add(report.role_words(role_of_account[value]))
            elif target == "people" and value in role_of_person:
                words.add(report.role_words(role_of_person[value]))
        if words:
            named[place] = sorted(words)
    return named


def _reviewed(session: Session, request_id: str) -> bool:
    return (
        session.scalar(
            select(RequestEvent.id).where(
                RequestEvent.request_id == request_id, RequestEvent.step == REVIEWED
            )
        )
        is not None
    )


def require_reviewed(session: Session, request: RightsRequest) -> None:
    """An export that names other people is released only after the officer has seen them
    (and withheld what must be): fulfilling before that is refused."""
    if request.kind not in ACCESS_KINDS or request.person_id is None:
        return
    if _reviewed(session, request.id):
        return
    from steward.rights.export import rows  # export builds on this module

    named = _others(session, str(request.person_id), list(rows(session, str(request.person_id))))
    if named:
        raise Conflict(
            f"This export names other people ({len(named)} items): review it first on the "
            "request's page (or GET .../review), withhold what must be, then fulfil."
        )


def _key(holding: Holding) -> str:
    return next(iter(holding.table.primary_key.columns)).key


def review(session: Session, officer: Actor, request_id: str) -> Review:
    """What the export of this access request would hold, and the items naming others."""
    from steward.rights.export import rows, values  # export builds on this module

    request = _access_request(session, officer, request_id)
    person_id = str(request.person_id)
    check(session, officer, RIGHTS, state_of(session, person_id), ["user"], action="export_review")
    policy = policy_of(session)
    found = list(rows(session, person_id))
    tables: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    previews: dict[tuple[str, str], tuple[str, str]] = {}
    for holding, row, _how in found:
        tables[holding.name] += 1
        text = []
        for _column, category, value in values(holding, row):
            categories[resolve(policy, category) or category] += 1
            text.append(str(value))
        previews[(holding.name, str(getattr(row, _key(holding))))] = (
            report.row_words(holding.name, row),
            " / ".join(text)[:200],
        )
    held = {(w.table, w.row_id): w.reason for w in withheld(session, request_id)}
    items = [
        Item(
            item=f"{table}:{row_id}",
            kind=previews[(table, row_id)][0],
            names=names,
            preview=previews[(table, row_id)][1],
            withheld=held.get((table, row_id)),
        )
        for (table, row_id), names in _others(session, person_id, found).items()
    ]
    if items and not _reviewed(session, request_id):
        event(session, request, REVIEWED, officer, note=f"{len(items)} items name others")
    session.commit()
    return Review(
        reference=request.reference,
        tables=dict(sorted(tables.items())),
        categories=dict(sorted(categories.items())),
        items=items,
        withheld=len(held),
    )


def withhold(session: Session, officer: Actor, request_id: str, item: str, reason: str) -> None:
    """Leave one row out of the export, with a recorded reason; audited."""
    request = _access_request(session, officer, request_id)
    if reason not in REASONS:
        raise Invalid(f"Give one of the reasons: {', '.join(REASONS)}.")
    table, _, row_id = item.partition(":")
    holding = next((h for h in holdings() if h.name == table), None)
    if holding is None or not row_id:
        raise NotFound("The export holds no such item.")
    person_id = str(request.person_id)
    key = holding.table.c[_key(holding)]
    if key.type.python_type is int:
        if not row_id.isdigit():
            raise NotFound("The export holds no such item.")
        row_id = str(int(row_id))
    wanted: Any = int(row_id) if key.type.python_type is int else row_id
    reaches = any(
        session.scalar(select(key).where(key == wanted, path.where(person_id)))
        for path in paths()
        if path.holding.name == table
    )
    if not reaches:
        raise NotFound("The export holds no such item.")
    if any(w.table == table and w.row_id == row_id for w in withheld(session, request_id)):
        raise Conflict("This item is already withheld.")
    check(
        session,
        officer,
        RIGHTS,
        state_of(session, person_id),
        ["user"],
        action="export_withhold",
        columns=[table],
    )
    event(session, request, STEP, officer, note=f"{table}:{row_id}:{reason}"[:200])
    session.commit()


def include(session: Session, officer: Actor, request_id: str, item: str) -> None:
    """Undo a withholding: the item is in the export again; audited and on the timeline."""
    request = _access_request(session, officer, request_id)
    table, _, row_id = item.partition(":")
    if not any(w.table == table and w.row_id == row_id for w in withheld(session, request_id)):
        raise NotFound("This item is not withheld.")
    check(
        session,
        officer,
        RIGHTS,
        state_of(session, str(request.person_id)),
        ["user"],
        action="export_include",
        columns=[table],
    )
    event(session, request, INCLUDED, officer, note=f"{table}:{row_id}:"[:200])
    session.commit()
