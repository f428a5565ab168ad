"""Legal holds (T2), as the privacy officer places and releases them.

A hold names what it covers (a person, a ticket, an organisation or a policy category),
why (a legal obligation, a legal claim, a dispute, a security investigation: the
reasons a policy's retention exceptions name), who owns it (the officer
who placed it) and, optionally, when it should end. Nothing it covers is deleted, by the
retention sweep or by an erasure, while it is in force. A hold past its end date is not
lifted: the sweep flags it and it stays in force until its owner, or another officer,
releases it. Placing and releasing are audited.

The officer names a hold's target as they know it: a person by email address, a ticket by
number, an organisation or a category by its name (its id or key works too); the pages name
each hold's target back (`targets`: the person's name, read through the gate, the
organisation's or the category's name), and `over_erasures` tells which holds keep a
scheduled erasure waiting.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.identity.common import email_index
from steward.identity.models import Person
from steward.policy.active import policy_of, resolve
from steward.retention.models import HOLD_REASONS, HOLD_SCOPES, LegalHold
from steward.rights.common import get_request, require_officer
from steward.rights.datamap import holding, key_value, scope_model
from steward.rights.held import describe, person_held
from steward.rights.models import RequestEvent
from steward.rights.queries import person_names

REASON_NAMES = {
    "legal_obligation": "Legal obligation",
    "legal_claim": "Legal claim",
    "dispute": "Dispute",
    "security_investigation": "Security investigation",
}


@dataclass(frozen=True)
class HoldView:
    id: str
    scope: str
    target: str
    reason: str
    owner_id: str
    created_at: datetime
    ends_on: date | None
    released_at: datetime | None
    needs_review: bool  # in force past its end date
    summary: str


def _view(hold: LegalHold) -> HoldView:
    past_end = hold.ends_on is not None and hold.ends_on < clock.today()
    overdue = hold.released_at is None and (past_end or hold.review_flagged_at is not None)
    return HoldView(
        hold.id,
        hold.scope,
        hold.target,
        hold.reason,
        hold.owner_id,
        hold.created_at,
        hold.ends_on,
        hold.released_at,
        overdue,
        describe(hold),
    )


def _check_target(session: Session, scope: str, target: str) -> str:
    target = target.strip()
    if scope == "person":
        if "@" in target:  # officers know people by their address; the hold keeps the id
            found = session.scalar(
                select(Person.id).where(Person.email_index == email_index(session, target))
            )
            target = found or ""
        person = session.get(Person, target) if target else None
        if person is None or person.erased_at is not None:
            raise NotFound("There is no such person.")
    elif scope == "ticket":
        number = target.removeprefix("#")
        tickets = scope_model("ticket")
        if not number.isdigit() or session.get(tickets, key_value(tickets, number)) is None:
            raise NotFound("There is no ticket with this number.")
        target = number
    elif scope == "organisation":
        organisations = scope_model("organisation")
        if session.get(organisations, key_value(organisations, target)) is None:
            target = _by_name(session, organisations, target)
    else:
        categories = policy_of(session).categories
        by_name = {c.name.casefold(): key for key, c in categories.items()}
        target = target if target in categories else by_name.get(target.casefold(), "")
        if not target:
            raise Invalid("The policy declares no such category: choose one of its names.")
    return target


def _by_name(session: Session, model: type, name: str) -> str:
    """The id of the one row of `model` (an organisation) with this name, in any case."""
    column = model.__table__.c["name"]  # type: ignore[attr-defined]
    (key,) = model.__table__.primary_key.columns  # type: ignore[attr-defined]
    found = session.scalars(select(key).where(func.lower(column) == name.casefold()).limit(2)).all()
    if not found:
        raise NotFound(f"There is no organisation called '{name}'.")
    if len(found) > 1:
        raise Invalid(f"More than one organisation is called '{name}'; rename one first.")
    return str(found[0])


def choices(session: Session, scope: str, most: int = 500) -> list[str]:
    """The names to offer when placing a hold of `scope` (organisations, by name)."""
    model = scope_model(scope)
    if model is None or "name" not in model.__table__.c:
        return []
    column = model.__table__.c["name"]
    return list(session.scalars(select(column).distinct().order_by(column).limit(most)))


def targets(session: Session, officer: Actor, views: Iterable["HoldView"]) -> dict[str, str]:
    """What each hold is on, by hold id, as the officer reads it: "Ada Lovelace" (the
    person's name, read through the gate), "Lovelace Engines" (the organisation's name),
    "ticket #12", "Call recordings" (the category's name)."""
    require_officer(officer)
    views = list(views)
    people = person_names(session, officer, {v.target for v in views if v.scope == "person"})
    policy = policy_of(session)
    found = {}
    for view in views:
        if view.scope == "person":
            found[view.id] = people.get(view.target, "a person no longer held")
        elif view.scope == "category":
            category = policy.categories.get(view.target)
            found[view.id] = category.name if category else view.target
        elif view.scope == "ticket":
            found[view.id] = f"ticket #{view.target}"
        else:
            model = scope_model(view.scope)
            row = session.get(model, key_value(model, view.target)) if model else None
            found[view.id] = str(getattr(row, "name", None) or f"an {view.scope} no longer held")
    return found


@dataclass(frozen=True)
class ErasureHold:
    """A hold keeping a scheduled erasure waiting; `since` when placed after it was scheduled."""

    hold: "HoldView"
    since: bool


def over_erasures(
    session: Session, officer: Actor, request_ids: Iterable[str]
) -> dict[str, list[ErasureHold]]:
    """The holds in force over the person of each open or scheduled erasure, by request id:
    the erasure waits for them to be released."""
    require_officer(officer)
    policy = policy_of(session)
    found: dict[str, list[ErasureHold]] = {}
    for request_id in request_ids:
        request = get_request(session, request_id)
        if request.status not in ("open", "scheduled") or request.person_id is None:
            continue
        scheduled = session.scalar(
            select(func.max(RequestEvent.at)).where(
                RequestEvent.request_id == request.id, RequestEvent.step == "erasure_scheduled"
            )
        )
        held = person_held(session, policy, request.person_id)
        if held:
            found[request.id] = [
                ErasureHold(_view(h), scheduled is not None and h.created_at > scheduled)
                for h in held
            ]
    return found


def _check_reason(session: Session, scope: str, target: str, reason: str) -> None:
    """A hold on a category, or on a ticket (communications), keeps that data longer only for
    a reason the policy's retention exceptions for it name: the policy promised no other.
    A hold on a person or an organisation spans every category and is not limited so."""
    policy = policy_of(session)
    if scope == "category":
        category = target
    elif scope == "ticket":
        category = resolve(policy, holding("tickets").columns["subject"]) or ""
    else:
        return
    allowed = [e.reason for e in policy.categories[category].retention.exceptions]
    if reason not in allowed:
        named = ", ".join(r.replace("_", " ") for r in allowed) or "no reason at all"
        what = policy.categories[category].name
        raise Invalid(
            f"The policy keeps {what} longer only for: {named} (its retention exceptions); "
            f"a hold for {reason.replace('_', ' ')} would break that promise."
        )


def place(
    session: Session,
    officer: Actor,
    scope: str,
    target: str,
    reason: str,
    ends_on: date | None = None,
) -> HoldView:
    """Put a hold in force (the caller commits)."""
    require_officer(officer)
    if scope not in HOLD_SCOPES:
        raise Invalid(f"A hold is on one of: {', '.join(HOLD_SCOPES)}.")
    if reason not in HOLD_REASONS:
        raise Invalid(f"A hold's reason is one of: {', '.join(HOLD_REASONS)}.")
    if ends_on is not None and ends_on < clock.today():
        raise Invalid("The end date is in the past.")
    if officer.account_id is None:
        raise Invalid("A hold needs an owner: place it signed in as a privacy officer.")
    target = _check_target(session, scope, target)
    _check_reason(session, scope, target, reason)
    hold = LegalHold(
        scope=scope,
        target=target,
        reason=reason,
        owner_id=officer.account_id,
        ends_on=ends_on,
        created_at=clock.now(),
    )
    session.add(hold)
    session.flush()
    person_id = target if scope == "person" else None
    record(session, officer, "hold_placed", purpose="retention", person_id=person_id)
    return _view(hold)


def release(session: Session, officer: Actor, hold_id: str) -> HoldView:
    """Lift a hold (the caller commits): what it covered is swept again by its rules."""
    require_officer(officer)
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("There is no such hold.")
    if hold.released_at is not None:
        raise Conflict("This hold is already released.")
    hold.released_at = clock.now()
    hold.released_by = officer.account_id
    person_id = hold.target if hold.scope == "person" else None
    record(session, officer, "hold_released", purpose="retention", person_id=person_id)
    return _view(hold)


def listing(
    session: Session,
    officer: Actor,
    *,
    released: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[HoldView]:
    """Holds in force (and released ones with `released`), those to review first, then the
    newest; every one, or `limit` from `offset`."""
    require_officer(officer)
    to_review = and_(
        LegalHold.released_at.is_(None),
        or_(LegalHold.ends_on < clock.today(), LegalHold.review_flagged_at.is_not(None)),
    )
    query = select(LegalHold).order_by(
        case((to_review, 0), else_=1), LegalHold.created_at.desc(), LegalHold.id
    )
    if not released:
        query = query.where(LegalHold.released_at.is_(None))
    return [_view(h) for h in session.scalars(query.offset(offset).limit(limit))]


def by_ids(session: Session, officer: Actor, hold_ids: Iterable[str]) -> list[HoldView]:
    """These holds, released or not (a past sweep names the holds that kept something)."""
    require_officer(officer)
    wanted = list(set(hold_ids))
    if not wanted:
        return []
    return [_view(h) for h in session.scalars(select(LegalHold).where(LegalHold.id.in_(wanted)))]
