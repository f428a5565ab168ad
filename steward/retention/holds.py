"""Legal holds (T2), as the privacy officer places and releases them.

A hold names what it covers (a person, a ticket, an organisation or a policy category),
why (a legal obligation, a legal claim, a dispute, a security investigation: the
reasons a policy's retention exceptions name), who owns it (the officer
who placed it) and, optionally, when it should end. Nothing it covers is deleted, by the
retention sweep or by an erasure, while it is in force. A hold past its end date is not
lifted: the sweep flags it and it stays in force until its owner, or another officer,
releases it. Placing and releasing are audited.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.identity.common import email_index
from steward.identity.models import Person
from steward.policy.active import policy_of, resolve
from steward.retention.models import HOLD_REASONS, HOLD_SCOPES, LegalHold
from steward.rights.common import require_officer
from steward.rights.datamap import holding, key_value, scope_model
from steward.rights.held import describe

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
            raise NotFound("There is no such organisation.")
    elif target not in policy_of(session).categories:
        raise Invalid(f"The policy declares no category '{target}'.")
    return target


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
        raise Invalid(
            f"The policy keeps {category} longer only for: {named} (its retention "
            f"exceptions); a hold for {reason.replace('_', ' ')} would break that promise."
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
